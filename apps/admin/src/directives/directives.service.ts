import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  CLOCK,
  contentHash,
  decodeTimePosition,
  normaliseMsisdn,
  pageAfter,
  pageSize,
  validateIdempotencyKey,
  ValidationError,
  ValidationErrorCode,
  type Clock,
  type Msisdn,
  controlCharacterField,
  CARRIER_IDS,
} from '@app/domain';
import type { Principal } from '@app/grpc';
import { idempotentWrite } from '@app/persistence';
import type { HighRiskCellList } from '../cells/cell-list';
import { ADMIN_CONFIG, type AdminConfig } from '../config/admin.config';
import type { StoredEvidence } from '../feed/evidence';
import { AdminMetrics } from '../metrics/admin-metrics';
import { OwnershipService, validateCarrier } from '../ownership/ownership.service';
import {
  DirectiveKind,
  DirectiveOutcome,
  DirectiveStatus,
  NUMBER_DIRECTIVE_KINDS,
  POLICY_ISSUER,
  type DirectiveAck,
  type DirectiveRecord,
} from './directive';
import { DirectiveNotifier } from './directive-notifier';
import { DirectivesError } from './directives.errors';
import { DirectivesRepository, type DirectiveFilter } from './directives.repository';

export interface IssueDirectiveInput {
  idempotencyKey: string;
  msisdn: string;
  /** REVIEW, SUSPEND or RESTORE. */
  kind: string | undefined;
  reason: string;
  /** Capped at DIRECTIVE_TTL_HOURS; 0 or absent: DIRECTIVE_TTL_HOURS. */
  expiresInHours?: number;
}

export interface ListDirectivesFilter {
  carrier?: string;
  msisdn?: string;
  /** PENDING, DELIVERED, APPLIED, REJECTED or EXPIRED. */
  status?: string;
}

export interface PageInput {
  pageSize?: number;
  pageToken?: string;
}

export interface DirectivePage {
  directives: DirectiveRecord[];
  /** Empty on the last page. */
  nextPageToken: string;
}

/** A directive the correlation policy decided on. */
export interface AutomaticDirective {
  idempotencyKey: string;
  msisdn: Msisdn;
  carrier: string;
  kind: DirectiveKind.Review | DirectiveKind.Suspend;
  reason: string;
  evidence: StoredEvidence;
}

/** A directive id as issued: a random UUID. */
const DIRECTIVE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PAGE = { default: 50, max: 500 };
const MAX_REASON = 500;
const MAX_ACK_DETAIL = 2000;
const HOUR_MS = 3_600_000;

@Injectable()
export class DirectivesService {
  private readonly logger = new Logger(DirectivesService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly directives: DirectivesRepository,
    private readonly ownership: OwnershipService,
    private readonly notifier: DirectiveNotifier,
    @Inject(ADMIN_CONFIG) private readonly config: AdminConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly metrics: AdminMetrics,
  ) {}

  /**
   * An administrator's directive to the number's owning carrier. The same key and
   * content again answers the directive as it was issued (`replayed`; its delivery
   * since shows in ListDirectives); the same key with other content is ALREADY_EXISTS.
   */
  async issue(
    caller: Principal,
    input: IssueDirectiveInput,
  ): Promise<{ directive: DirectiveRecord; replayed: boolean }> {
    const key = validateIdempotencyKey(input.idempotencyKey, 'idempotency_key');
    const msisdn = normaliseMsisdn(input.msisdn, 'msisdn');
    const kind = validateIssuedKind(input.kind);
    const reason = validateReason(input.reason);
    const hours = this.validHours(input.expiresInHours);
    const hash = contentHash({ msisdn, kind, reason, expiresInHours: input.expiresInHours ?? 0 });
    // Issued keys live apart from the policy's and the cell lists' derived keys.
    const storedKey = `issue:${key}`;
    const { result: directive, replayed } = await idempotentWrite({
      dataSource: this.dataSource,
      scope: 'admin.directive',
      key: storedKey,
      contentHash: hash,
      find: (em) => this.directives.asIssuedByKey(em, storedKey),
      reused: () => new DirectivesError('KEY_REUSED', 'was already used for a different directive', 'idempotency_key'),
      apply: async (em) => {
        const owner = await this.ownership.ownerOf(msisdn, em);
        if (!owner)
          throw new DirectivesError('NO_OWNER', `no carrier owns ${msisdn}, so no carrier can be directed`, 'msisdn');
        const now = this.clock.now();
        return this.directives.insert(em, {
          id: randomUUID(),
          idempotencyKey: storedKey,
          contentHash: hash,
          kind,
          carrier: owner.carrier,
          msisdn,
          reason,
          evidence: null,
          cells: null,
          issuedBy: caller.subject,
          issuedAt: now,
          expiresAt: new Date(now.getTime() + hours * HOUR_MS),
        });
      },
    });
    if (!replayed) {
      this.metrics.directiveIssued(directive.carrier, directive.kind, 'admin');
      this.notifier.notify([directive.carrier]);
    }
    return { directive, replayed };
  }

  /** Directives with their delivery and outcome, newest first. */
  async list(filter: ListDirectivesFilter, page: PageInput): Promise<DirectivePage> {
    const valid: DirectiveFilter = {
      carrier: filter.carrier ? validateCarrier(filter.carrier, 'carrier') : undefined,
      msisdn: filter.msisdn ? normaliseMsisdn(filter.msisdn, 'msisdn') : undefined,
      status: filter.status ? validateStatus(filter.status) : undefined,
    };
    const limit = pageSize(page.pageSize, PAGE);
    const position = decodeTimePosition(page.pageToken, DIRECTIVE_ID);
    const rows = await this.directives.page(valid, position && { issuedAt: position.at, id: position.id }, limit + 1);
    const { items, nextPageToken } = pageAfter(rows, limit, (d) => ({ t: d.issuedAt.toISOString(), i: d.id }));
    return { directives: items, nextPageToken };
  }

  /**
   * A directive of the correlation policy: at most one per number, kind and key,
   * and none while the carrier still has an open one of that kind (or a SUSPEND,
   * which covers a REVIEW). Answers the new directive, or undefined.
   *
   * Not a caller's idempotent write (nothing to replay: an existing key means
   * nothing new to issue), so not idempotentWrite: the number's lock serialises
   * every policy directive of the number, whose keys (`auto:<number>:...`) only
   * the policy writes, so the key's row is read before it could be written twice.
   */
  async issueAutomatic(d: AutomaticDirective): Promise<DirectiveRecord | undefined> {
    const blocking =
      d.kind === DirectiveKind.Review ? [DirectiveKind.Review, DirectiveKind.Suspend] : [DirectiveKind.Suspend];
    const issued = await this.dataSource.transaction(async (em) => {
      await this.directives.lockNumber(em, d.msisdn);
      const now = this.clock.now();
      if (await this.directives.byKey(em, d.idempotencyKey)) return undefined;
      if (await this.directives.hasOpen(em, d.msisdn, d.carrier, blocking, now)) return undefined;
      return this.directives.insert(em, {
        id: randomUUID(),
        idempotencyKey: d.idempotencyKey,
        contentHash: contentHash({ msisdn: d.msisdn, kind: d.kind, carrier: d.carrier }),
        kind: d.kind,
        carrier: d.carrier,
        msisdn: d.msisdn,
        reason: d.reason,
        evidence: d.evidence,
        cells: null,
        issuedBy: POLICY_ISSUER,
        issuedAt: now,
        expiresAt: new Date(now.getTime() + this.config.directiveTtlHours * HOUR_MS),
      });
    });
    if (issued) {
      this.metrics.directiveIssued(issued.carrier, issued.kind, 'policy');
      this.notifier.notify([issued.carrier]);
    }
    return issued;
  }

  /**
   * Inside the transaction that changed the high-risk cell list: one directive
   * per carrier holding the whole new list; older unacknowledged lists expire.
   * Call notify(carriers) once the transaction committed.
   */
  async issueCellLists(em: EntityManager, list: HighRiskCellList, issuedBy: string): Promise<string[]> {
    const now = this.clock.now();
    for (const carrier of CARRIER_IDS) {
      await this.directives.supersedeCellLists(em, carrier, list.version);
      await this.directives.insert(em, {
        id: randomUUID(),
        idempotencyKey: cellListKey(list.version, carrier),
        contentHash: contentHash(list),
        kind: DirectiveKind.HighRiskCells,
        carrier,
        msisdn: null,
        reason: `high-risk cell list version ${list.version}: ${list.cells.length} cells`,
        evidence: null,
        cells: list,
        issuedBy,
        issuedAt: now,
        expiresAt: new Date(now.getTime() + this.config.directiveTtlHours * HOUR_MS),
      });
    }
    return [...CARRIER_IDS];
  }

  /** The high-risk cell list of a version, as its directives hold it (the change's transaction wrote them). */
  async cellListOfVersion(em: EntityManager, version: number): Promise<HighRiskCellList | undefined> {
    return (await this.directives.byKey(em, cellListKey(version, CARRIER_IDS[0])))?.record.cells ?? undefined;
  }

  /** After the cell lists' transaction committed: each carrier's new list is counted and announced. */
  notify(carriers: string[]): void {
    for (const carrier of carriers) this.metrics.directiveIssued(carrier, DirectiveKind.HighRiskCells, 'cells');
    this.notifier.notify(carriers);
  }

  /** The carrier's current cell-list directive, counted as sent again (a new stream always starts with it). */
  async resendCellList(carrier: string): Promise<DirectiveRecord | undefined> {
    const latest = await this.directives.latestCellList(carrier);
    if (!latest) return undefined;
    const now = this.clock.now();
    return this.directives.markListResent(
      latest.id,
      now,
      new Date(now.getTime() + this.config.directiveTtlHours * HOUR_MS),
    );
  }

  /** Records a carrier's acknowledgement. Anything that is not its own open directive is logged and ignored. */
  async acknowledge(carrier: string, ack: DirectiveAck): Promise<boolean> {
    // Streamed acknowledgements never meet the guard's text check.
    const unclean = controlCharacterField(ack);
    if (unclean !== undefined) {
      this.logger.warn(`carrier ${carrier} sent an acknowledgement with a control character in ${unclean}: ignored`);
      return false;
    }
    const id = ack.directiveId.slice(0, 64);
    if (!id || !ack.outcome) {
      this.logger.warn(
        `carrier ${carrier} sent an acknowledgement without ${id ? 'an outcome' : 'a directive_id'} ` +
          `(${JSON.stringify(id)}): ignored`,
      );
      return false;
    }
    const done = await this.directives.acknowledge(id, carrier, {
      status: ack.outcome === DirectiveOutcome.Applied ? DirectiveStatus.Applied : DirectiveStatus.Rejected,
      detail: ack.detail.slice(0, MAX_ACK_DETAIL),
      state: ack.state ?? null,
      at: this.clock.now(),
    });
    if (done) {
      this.metrics.directiveAcknowledged(
        carrier,
        ack.outcome === DirectiveOutcome.Applied ? DirectiveStatus.Applied : DirectiveStatus.Rejected,
      );
      return true;
    }
    const directive = await this.directives.byId(id);
    if (!directive)
      this.logger.warn(`carrier ${carrier} acknowledged unknown directive ${JSON.stringify(id)}: ignored`);
    else if (directive.carrier !== carrier)
      this.logger.warn(`carrier ${carrier} acknowledged directive ${id} of carrier ${directive.carrier}: ignored`);
    else this.logger.log(`carrier ${carrier} acknowledged directive ${id}, already ${directive.status}: ignored`);
    return false;
  }

  private validHours(requested: number | undefined): number {
    if (requested === undefined || requested === 0) return this.config.directiveTtlHours;
    if (!Number.isInteger(requested) || requested < 0)
      throw new ValidationError(
        ValidationErrorCode.OutOfRange,
        'expires_in_hours',
        'must be a positive whole number of hours',
      );
    return Math.min(requested, this.config.directiveTtlHours);
  }
}

/** The key of the directive holding version `version` of the cell list for `carrier`. */
function cellListKey(version: number, carrier: string): string {
  return `cells:${version}:${carrier}`;
}

function validateIssuedKind(kind: string | undefined): DirectiveKind {
  if (!kind)
    throw new ValidationError(
      ValidationErrorCode.Required,
      'kind',
      `a kind is required: ${NUMBER_DIRECTIVE_KINDS.join(', ')}`,
    );
  if (!(NUMBER_DIRECTIVE_KINDS as readonly string[]).includes(kind)) {
    throw new ValidationError(
      ValidationErrorCode.Malformed,
      'kind',
      `"${kind.slice(0, 32)}" cannot be issued: use ${NUMBER_DIRECTIVE_KINDS.join(', ')}`,
    );
  }
  return kind as DirectiveKind;
}

function validateStatus(status: string): DirectiveStatus {
  const all = Object.values(DirectiveStatus) as string[];
  if (!all.includes(status))
    throw new ValidationError(
      ValidationErrorCode.Malformed,
      'status',
      `"${status.slice(0, 32)}" is not a status: use ${all.join(', ')}`,
    );
  return status as DirectiveStatus;
}

function validateReason(input: string | undefined): string {
  const reason = (input ?? '').trim();
  if (!reason) throw new ValidationError(ValidationErrorCode.Required, 'reason', 'a reason is required');
  if (reason.length > MAX_REASON)
    throw new ValidationError(ValidationErrorCode.OutOfRange, 'reason', `at most ${MAX_REASON} characters`);
  return reason;
}
