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
import { mintToken, parseTtl, TtlError } from '../libs/grpc/src/auth/mint';
import { RoleError } from '../libs/grpc/src/auth/roles';

export { parseTtl };

type Env = Record<string, string | undefined>;

const USAGE =
  'usage: mint-token --role <carrier:ID|admin:province|analyst|police|auditor> ' +
  '[--subject <sub>] [--ttl 8h|30m|2d|3600] [--issuer <iss>]';

export class UsageError extends Error {}

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
    const { token, role, subject } = mintToken(
      { role: values.role, subject: values.subject, ttlSeconds: parseTtl(values.ttl), issuer: values.issuer },
      env,
    );
    out(token);
    err(`mint-token: ${role.kind}${role.scope ? ` (${role.scope})` : ''} token for "${subject}", valid ${values.ttl}`);
    return 0;
  } catch (error) {
    const usage =
      error instanceof UsageError ||
      error instanceof TtlError ||
      error instanceof RoleError ||
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
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
