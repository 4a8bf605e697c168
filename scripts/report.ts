/**
 * Writes the monthly public report (docs/monthly-report.md) from the running admin service:
 *
 *   npm run report -- --month 2026-11 [--out DIR] [--format html,pdf] [--url URL] [--token TOKEN]
 *
 * The admin's URL is --url, else the dashboard of ${DATA_DIR:-.data}/stack.json
 * (written by npm start). The token is --token, else ANALYST_TOKEN or
 * ADMIN_TOKEN, else a short-lived analyst token minted from the stack's
 * signing key, as fraudctl does. Files: <out>/report-2026-11.html and .pdf,
 * out defaulting to ${DATA_DIR:-.data}/reports.
 *
 * Imports are relative (no @app aliases): plain tsc does not rewrite them.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { mintToken } from '../libs/grpc/src/auth/mint';
import { readStackFile, type StackFile } from './launcher/stack-file';

type Env = Record<string, string | undefined>;
type Fetch = (url: string, init: { headers: Record<string, string> }) => Promise<Response>;

export const USAGE =
  'usage: npm run report -- --month YYYY-MM [--out DIR] [--format html,pdf] [--url http://host:port] [--token TOKEN]';
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const FORMATS = ['html', 'pdf'] as const;
type Format = (typeof FORMATS)[number];
const MINTED_TTL_SECONDS = 600;

export class UsageError extends Error {}
/** The admin refused or could not be reached: not the caller's typing. */
export class ReportError extends Error {}

export interface ReportIo {
  env: Env;
  out: (line: string) => void;
  err: (line: string) => void;
  fetch?: Fetch;
}

interface Options {
  month: string;
  out: string;
  formats: Format[];
  url: string;
  token: string;
}

/** Runs the CLI; resolves with the exit status (2 for a usage error). */
export async function run(argv: string[], io: ReportIo): Promise<number> {
  try {
    const options = parseOptions(argv, io.env);
    if (options === 'help') {
      io.out(USAGE);
      return 0;
    }
    await writeReport(options, io);
    return 0;
  } catch (error) {
    const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    io.err(`report: ${(error as Error).message}`);
    if (usage) io.err(USAGE);
    return usage ? 2 : 1;
  }
}

function parseOptions(argv: string[], env: Env): Options | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      month: { type: 'string' },
      out: { type: 'string' },
      format: { type: 'string', default: 'html,pdf' },
      url: { type: 'string' },
      token: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  if (values.month === undefined) throw new UsageError('--month is required, e.g. --month 2026-11');
  if (!MONTH.test(values.month))
    throw new UsageError(`--month "${values.month}" is not a month: use YYYY-MM, e.g. --month 2026-11`);
  const formats = values.format.split(',').map((f) => f.trim());
  const unknown = formats.find((f) => !(FORMATS as readonly string[]).includes(f));
  if (unknown !== undefined || formats.length === 0)
    throw new UsageError(`--format "${values.format}": use html, pdf or html,pdf`);
  const dataDir = env.DATA_DIR || '.data';
  const stack = values.url === undefined || values.token === undefined ? readStack(dataDir) : undefined;
  const url = values.url ?? stack?.dashboard;
  if (!url)
    throw new ReportError(
      `no admin to ask: ${path.join(dataDir, 'stack.json')} names no dashboard (start the stack with npm start, ` +
        'or pass --url http://host:port)',
    );
  return {
    month: values.month,
    out: values.out ?? path.join(dataDir, 'reports'),
    formats: [...new Set(formats)] as Format[],
    url: url.replace(/\/+$/, ''),
    token: values.token ?? tokenOf(env, stack?.keyDir),
  };
}

/** What npm start wrote, if it is running (a file that is no stack file is named). */
function readStack(dataDir: string): Partial<StackFile> | undefined {
  try {
    return readStackFile(dataDir)?.stack ?? undefined;
  } catch (error) {
    throw new ReportError((error as Error).message);
  }
}

/** ANALYST_TOKEN or ADMIN_TOKEN, else an analyst token minted from the stack's signing key (never a new key). */
function tokenOf(env: Env, stackKeyDir: string | null | undefined): string {
  const given = env.ANALYST_TOKEN || env.ADMIN_TOKEN;
  if (given) return given;
  const keyEnv: Env =
    env.AUTH_PRIVATE_KEY_FILE || env.AUTH_KEY_DIR || !stackKeyDir ? env : { ...env, AUTH_KEY_DIR: stackKeyDir };
  const keyFile =
    keyEnv.AUTH_PRIVATE_KEY_FILE ??
    path.join(keyEnv.AUTH_KEY_DIR ?? path.join(env.DATA_DIR || '.data', 'keys'), 'token-signing.key');
  if (!existsSync(keyFile))
    throw new ReportError(
      `no token: pass --token, set ANALYST_TOKEN or ADMIN_TOKEN, or run where npm start keeps its signing key ` +
        `(${keyFile})`,
    );
  return mintToken(
    { role: 'analyst', subject: 'monthly-report', ttlSeconds: MINTED_TTL_SECONDS, issuer: 'report' },
    keyEnv,
  ).token;
}

interface Summary {
  provisional: boolean;
  totals: { actions: { suspensions: number }; mistaken: number; appeals: { upheld: number } };
}

async function writeReport(options: Options, io: ReportIo): Promise<void> {
  const fetchFn: Fetch = io.fetch ?? fetch;
  const get = async (format: 'json' | Format): Promise<Buffer> => {
    const url = `${options.url}/api/reports/monthly?month=${options.month}&format=${format}`;
    let response: Response;
    try {
      response = await fetchFn(url, { headers: { authorization: `Bearer ${options.token}` } });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new ReportError(`cannot reach the admin at ${options.url} (${cause}): is npm start running?`);
    }
    const body = Buffer.from(await response.arrayBuffer());
    if (!response.ok) {
      let message = body.toString('utf8');
      try {
        message = (JSON.parse(message) as { message?: string }).message ?? message;
      } catch {
        // not JSON: the text as sent
      }
      throw new ReportError(`the admin refused the report (HTTP ${response.status}): ${message}`);
    }
    return body;
  };

  const summary = JSON.parse((await get('json')).toString('utf8')) as Summary;
  mkdirSync(options.out, { recursive: true });
  for (const format of options.formats) {
    const file = path.join(options.out, `report-${options.month}.${format}`);
    writeFileSync(file, await get(format));
    io.out(file);
  }
  const t = summary.totals;
  io.err(
    `report: ${options.month}${summary.provisional ? ' (provisional: the month is not over)' : ''}: ` +
      `${t.actions.suspensions} suspensions, ${t.mistaken} mistaken, ${t.appeals.upheld} appeals upheld`,
  );
}

if (require.main === module) {
  void run(process.argv.slice(2), {
    env: process.env,
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  }).then((status) => {
    process.exitCode = status;
  });
}
