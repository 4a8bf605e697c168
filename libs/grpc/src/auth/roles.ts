/**
 * Roles carried by tokens (DESIGN.md §5). Kept free of @app imports so that
 * scripts compiled by plain tsc (mint-token) can load this file.
 */
import { CARRIER_IDS, isCarrierId } from '../../../domain/src/carriers';

/** A carrier role's scope; the list itself is the domain's. */
export type { CarrierId } from '../../../domain/src/carriers';

export enum RoleKind {
  /** `carrier:<ID>`: acts on its own subscribers, reports others'. */
  Carrier = 'carrier',
  /** `admin:<province>`: the provincial administration. */
  Admin = 'admin',
  /** Reads aggregates. */
  Analyst = 'analyst',
  /** Reads records, confirms, clears. */
  Police = 'police',
  /** Reads the audit log. */
  Auditor = 'auditor',
}

export interface Role {
  kind: RoleKind;
  /** The carrier ID or the province; absent for unscoped roles. */
  scope?: string;
}

export class RoleError extends Error {
  constructor(
    readonly role: string,
    reason: string,
  ) {
    super(`unknown role "${role.length > 64 ? `${role.slice(0, 64)}...` : role}": ${reason}`);
    this.name = 'RoleError';
  }
}

const PROVINCE = /^[a-z]{2,32}$/;
export const DEFAULT_PROVINCE = 'sichuan';

/** A province as `admin:<province>` roles name it: 2 to 32 lower-case ascii letters, e.g. `sichuan`. */
export function isProvince(value: string): boolean {
  return PROVINCE.test(value);
}
const UNSCOPED: ReadonlySet<string> = new Set([RoleKind.Analyst, RoleKind.Police, RoleKind.Auditor]);

/** `carrier:CMCC`, `admin:sichuan`, `analyst`, `police`, `auditor`; anything else throws RoleError. */
export function parseRole(role: string): Role {
  const colon = role.indexOf(':');
  const kind = colon < 0 ? role : role.slice(0, colon);
  const scope = colon < 0 ? undefined : role.slice(colon + 1);
  if (kind === RoleKind.Carrier) {
    if (scope === undefined || !isCarrierId(scope)) {
      throw new RoleError(role, `carrier roles are carrier:<ID> with ID one of ${CARRIER_IDS.join(', ')}`);
    }
    return { kind: RoleKind.Carrier, scope };
  }
  if (kind === RoleKind.Admin) {
    if (scope === undefined || !PROVINCE.test(scope))
      throw new RoleError(role, 'admin roles are admin:<province> in lower-case ascii letters, e.g. admin:sichuan');
    return { kind: RoleKind.Admin, scope };
  }
  if (UNSCOPED.has(kind)) {
    if (scope !== undefined) throw new RoleError(role, `${kind} takes no scope`);
    return { kind: kind as RoleKind };
  }
  throw new RoleError(role, `expected carrier:<ID>, admin:<province>, ${[...UNSCOPED].join(', ')}`);
}

export function formatRole(role: Role): string {
  return role.scope === undefined ? role.kind : `${role.kind}:${role.scope}`;
}
