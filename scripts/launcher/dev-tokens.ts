import type { KeyObject } from 'node:crypto';
import { signToken } from '@app/grpc';

export const DEV_TOKEN_TTL_HOURS = 12;
/** The administration's token: the banner offers it to sign in to the dashboard. */
export const ADMIN_TOKEN_VARIABLE = 'ADMIN_TOKEN';

/** One token per role, named as the shell variable the banner exports it to. */
const DEV_ROLES = [
  { variable: 'ANALYST_TOKEN', role: 'analyst' },
  { variable: 'POLICE_TOKEN', role: 'police' },
  { variable: 'AUDITOR_TOKEN', role: 'auditor' },
  { variable: ADMIN_TOKEN_VARIABLE, role: 'admin:sichuan' },
  { variable: 'CARRIER_TOKEN', role: 'carrier:CMCC' },
] as const;

export interface DevToken {
  variable: string;
  role: string;
  token: string;
}

export function mintDevTokens(privateKey: KeyObject): DevToken[] {
  return DEV_ROLES.map(({ variable, role }) => ({
    variable,
    role,
    token: signToken(
      {
        subject: `dev-${role.replace(':', '-').toLowerCase()}`,
        role,
        ttlSeconds: DEV_TOKEN_TTL_HOURS * 3600,
        issuer: 'npm-start',
      },
      privateKey,
    ),
  }));
}
