import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { freePort } from '@app/testing';
import { READY_LINE } from './launcher/banner';

/**
 * The docs never rot: every ```sh runnable block of README.md and docs/ is run
 * with bash, as a user types it, against one stack started as `npm start`
 * starts it (in a data folder and on ports of its own), and every relative
 * link between the pages must lead to a file, and to a heading when it names one.
 */

const ROOT = path.resolve(__dirname, '..');
const BLOCK_TIMEOUT_MS = 60_000;
const START_TIMEOUT_MS = 90_000;
const README_MAX_LINES = 250;

interface Block {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  info: string;
  body: string;
}

function markdownFiles(): string[] {
  const docs = readdirSync(path.join(ROOT, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.md'))
    .map((file) => path.join('docs', file))
    .sort();
  return ['README.md', ...docs];
}

/** Fenced blocks, list-indented ones included (their indentation removed). */
function fencedBlocks(file: string, text: string): Block[] {
  const blocks: Block[] = [];
  let open: { indent: number; fence: string; info: string; line: number; lines: string[] } | undefined;
  text.split('\n').forEach((raw, index) => {
    const fence = /^( *)(`{3,}|~{3,})(.*)$/.exec(raw);
    if (!open) {
      if (fence)
        open = { indent: fence[1]!.length, fence: fence[2]!, info: fence[3]!.trim(), line: index + 1, lines: [] };
      return;
    }
    if (fence && fence[2]!.startsWith(open.fence) && fence[3]!.trim() === '') {
      blocks.push({ file, line: open.line, info: open.info, body: open.lines.join('\n') });
      open = undefined;
      return;
    }
    open.lines.push(raw.slice(Math.min(open.indent, raw.length - raw.trimStart().length)));
  });
  return blocks;
}

/** The text outside fenced blocks and inline code, where links and headings live. */
function prose(text: string): string[] {
  let fence: string | undefined;
  return text.split('\n').map((line) => {
    const marker = /^ *(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker && (fence === undefined || marker.startsWith(fence))) {
      fence = fence === undefined ? marker : undefined;
      return '';
    }
    return fence === undefined ? line.replace(/`[^`]*`/g, '') : '';
  });
}

/** GitHub's anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const slugs = new Set<string>();
  let fence: string | undefined;
  for (const line of text.split('\n')) {
    const marker = /^ *(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker && (fence === undefined || marker.startsWith(fence))) fence = fence === undefined ? marker : undefined;
    const heading = fence === undefined ? /^#{1,6} +(.*?) *#* *$/.exec(line)?.[1] : undefined;
    if (heading === undefined) continue;
    const base = heading
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    slugs.add(count === 0 ? base : `${base}-${count}`);
  }
  return slugs;
}

/** Relative links of a page that lead nowhere, as `target (line N): why`. */
function brokenLinks(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  const broken: string[] = [];
  prose(text).forEach((line, index) => {
    for (const match of line.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = match[1]!;
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:
      const [pathPart, anchor] = target.split('#', 2) as [string, string | undefined];
      const resolved =
        pathPart === '' ? path.join(ROOT, file) : path.resolve(path.dirname(path.join(ROOT, file)), pathPart);
      const where = `${target} (line ${index + 1})`;
      if (!existsSync(resolved)) broken.push(`${where}: no such file`);
      else if (anchor && resolved.endsWith('.md') && !anchors(readFileSync(resolved, 'utf8')).has(anchor))
        broken.push(`${where}: no heading with this anchor`);
    }
  });
  return broken;
}

/** What a block expects its output to contain: its `# expect: <text>` lines. */
function expectations(block: Block): string[] {
  return [...block.body.matchAll(/^# expect: (.+)$/gm)].map((match) => match[1]!.trim());
}

/** Variables of this test run that would steer the stack or fraudctl elsewhere. */
function isolatedEnv(): NodeJS.ProcessEnv {
  const steering = new RegExp(
    String.raw`^(DATABASE_URL|\w+_DATABASE_URL|GRPC_\w+|AUTH_\w+|CARRIER_\w+|REGISTRY_\w+|ADMIN_\w+|\w+_TOKEN|` +
      String.raw`\w*METRICS_\w+|LOG_\w+|EMBEDDED_PG_PORT|DATA_DIR|FRAUDCTL_\w+|DEMO_\w+)$`,
  );
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !steering.test(name)));
}

/**
 * `npx fraudctl` runs the package's own bin, bin/fraudctl.js. The first block (the
 * README's quick start) goes through the real npx; the others call the bin directly,
 * sparing npm's start-up, about two seconds a command on two busy cores. The bin's
 * name is checked below.
 */
const NPX_FRAUDCTL = [
  'npx() {',
  '  if [ "$1" = fraudctl ]; then shift; node bin/fraudctl.js "$@"; else command npx "$@"; fi',
  '}',
  '',
].join('\n');

interface RunResult {
  code: number | string | null;
  output: string;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, timeout: number): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: ROOT, env, timeout, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? ((error as { code?: number | string }).code ?? error.signal ?? 'failed') : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

const files = markdownFiles();
const runnable = files.flatMap((file) =>
  fencedBlocks(file, readFileSync(path.join(ROOT, file), 'utf8')).filter((block) => block.info === 'sh runnable'),
);

describe('the docs (e2e)', () => {
  let workDir: string;
  let launcher: ChildProcess | undefined;
  let exited: Promise<unknown> = Promise.resolve();
  const launcherLines: string[] = [];
  let blockEnv: NodeJS.ProcessEnv;

  beforeAll(async () => {
    // The commands run the build in dist/ (npx fraudctl, npm run ...): make it current once, here.
    const built = await run(process.execPath, ['scripts/build-if-stale.cjs'], process.env, 180_000);
    if (built.code !== 0) throw new Error(`the build failed:\n${built.output}`);

    // Under the checkout, enterable by all (PostgreSQL's own OS user when tests run as root).
    mkdirSync(path.join(ROOT, '.data'), { recursive: true });
    workDir = mkdtempSync(path.join(ROOT, '.data', 'docs-e2e-'));
    chmodSync(workDir, 0o755);
    const dataDir = path.join(workDir, 'data');
    const taken: number[] = [];
    const next = async (): Promise<string> => {
      const port = await freePort(taken);
      taken.push(port);
      return String(port);
    };
    const ports: Record<string, string> = {};
    for (const variable of [
      'EMBEDDED_PG_PORT',
      'REGISTRY_PORT',
      'ADMIN_PORT',
      'ADMIN_HTTP_PORT',
      'CARRIER_CMCC_PORT',
      'CARRIER_CUCC_PORT',
      'CARRIER_CTCC_PORT',
      'REGISTRY_METRICS_PORT',
      'ADMIN_METRICS_PORT',
      'CARRIER_CMCC_METRICS_PORT',
      'CARRIER_CUCC_METRICS_PORT',
      'CARRIER_CTCC_METRICS_PORT',
    ])
      ports[variable] = await next();

    const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'scripts', 'start.js')], {
      cwd: ROOT,
      env: { ...isolatedEnv(), DATA_DIR: dataDir, ...ports },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    launcher = child;
    for (const stream of [child.stdout!, child.stderr!])
      createInterface({ input: stream }).on('line', (line) => launcherLines.push(line));
    let exit: number | string | null | undefined;
    exited = new Promise((resolve) =>
      child.once('close', (code, signal) => {
        exit = code ?? signal;
        resolve(exit);
      }),
    );
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!launcherLines.includes(READY_LINE)) {
      if (exit !== undefined)
        throw new Error(`npm start exited (${exit}) before its banner:\n${launcherLines.join('\n')}`);
      if (Date.now() > deadline) throw new Error(`npm start: no banner in time:\n${launcherLines.join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // Only the data folder is shared with the stack: fraudctl finds its ports in stack.json, its key in keys/.
    // TMPDIR: what a block makes with mktemp goes when the test ends.
    const tmpDir = path.join(workDir, 'tmp');
    mkdirSync(tmpDir);
    blockEnv = { ...isolatedEnv(), DATA_DIR: dataDir, TMPDIR: tmpDir };
  }, START_TIMEOUT_MS + 200_000);

  afterAll(async () => {
    if (launcher && launcher.exitCode === null) {
      launcher.kill('SIGINT');
      const killer = setTimeout(() => launcher?.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(killer);
    }
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  }, 60_000);

  it(`keeps the README to ${README_MAX_LINES} lines at most`, () => {
    const lines = readFileSync(path.join(ROOT, 'README.md'), 'utf8').trimEnd().split('\n').length;
    expect(lines).toBeLessThanOrEqual(README_MAX_LINES);
  });

  it('finds the runnable blocks, each expecting something or at least succeeding', () => {
    expect(runnable.length).toBeGreaterThanOrEqual(15);
    expect(runnable.filter((block) => expectations(block).length > 0).length).toBeGreaterThanOrEqual(8);
  });

  it('runs fraudctl as npx does: the package bin named fraudctl', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { bin?: Record<string, string> };
    expect(pkg.bin?.fraudctl).toBe('bin/fraudctl.js');
  });

  it.each(files)('%s: every relative link leads to a file and heading', (file) => {
    expect(brokenLinks(file)).toEqual([]);
  });

  it.each(runnable.map((block) => [`${block.file}:${block.line}`, block] as const))(
    'runs the block at %s',
    async (_where, block) => {
      const config = mkdtempSync(path.join(workDir, 'fraudctl-'));
      const env = { ...blockEnv, FRAUDCTL_CONFIG: path.join(config, 'config.json') };
      const prelude = block === runnable[0] ? '' : NPX_FRAUDCTL;
      const result = await run('bash', ['-c', `set -euo pipefail\n${prelude}${block.body}`], env, BLOCK_TIMEOUT_MS);
      expect({ code: result.code, output: result.output }).toEqual({ code: 0, output: expect.any(String) });
      for (const expected of expectations(block)) expect(result.output).toContain(expected);
    },
    BLOCK_TIMEOUT_MS + 5_000,
  );
});
