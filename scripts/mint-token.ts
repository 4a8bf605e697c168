/**
 * Mints a bearer token for calling the services (development, tests, operators).
 *
 *   npm run -s token -- --role police [--subject officer-7] [--ttl 8h]
 *   node dist/scripts/mint-token.js --role carrier:CMCC --ttl 3600
 *
 * The signing key is AUTH_PRIVATE_KEY_FILE, else token-signing.key in AUTH_KEY_DIR
 * (default <DATA_DIR or .data>/keys), created on first use outside production;
 * the services verify with the matching token-signing.pub. Only the token goes
 * to stdout, so `TOKEN=$(npm run -s token -- --role police)` works.
 *
 * Imports are relative (no @app aliases): plain tsc does not rewrite them.
 */
import { parseArgs } from 'node:util';
import { loadSigningKey } from '../libs/grpc/src/auth/keys';
import { parseRole, RoleError } from '../libs/grpc/src/auth/roles';
import { signToken } from '../libs/grpc/src/auth/token';

type Env = Record<string, string | undefined>;

const USAGE = 'usage: mint-token --role <carrier:ID|admin:province|analyst|police|auditor> [--subject <sub>] [--ttl 8h|30m|2d|3600] [--issuer <iss>]';
const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400 };
/** Longer-lived tokens belong to a real identity provider, not to this script. */
const MAX_TTL_SECONDS = 30 * 86400;

export class UsageError extends Error {}

/** `3600`, `45s`, `30m`, `8h`, `2d` -> seconds. */
export function parseTtl(text: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (!match) throw new UsageError(`--ttl "${text}" is not a duration like 3600, 30m, 8h or 2d`);
  const seconds = Number(match[1]) * (UNIT_SECONDS[match[2] || 's'] ?? 1);
  if (seconds <= 0 || seconds > MAX_TTL_SECONDS) throw new UsageError(`--ttl must be between 1 second and 30 days, got ${text}`);
  return seconds;
}

/** Runs the CLI; returns the exit status. */
export function run(argv: string[], env: Env, out: (line: string) => void, err: (line: string) => void): number {
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        role: { type: 'string' },
        subject: { type: 'string' },
        ttl: { type: 'string', default: '8h' },
        issuer: { type: 'string', default: 'mint-token' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      out(USAGE);
      return 0;
    }
    if (!values.role) throw new UsageError('--role is required');
    const role = parseRole(values.role);
    const subject = values.subject ?? values.role.replace(':', '-').toLowerCase();
    const token = signToken({ subject, role: values.role, ttlSeconds: parseTtl(values.ttl), issuer: values.issuer }, loadSigningKey(env));
    out(token);
    err(`mint-token: ${role.kind}${role.scope ? ` (${role.scope})` : ''} token for "${subject}", valid ${values.ttl}`);
    return 0;
  } catch (error) {
    const usage = error instanceof UsageError || error instanceof RoleError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    err(`mint-token: ${(error as Error).message}`);
    if (usage) err(USAGE);
    return usage ? 2 : 1;
  }
}

if (require.main === module) {
  process.exitCode = run(
    process.argv.slice(2),
    process.env,
    (line) => process.stdout.write(`${line}\n`),
    (line) => process.stderr.write(`${line}\n`),
  );
}
