import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Metrics } from './metrics';

export interface BuildInfo {
  /** package.json's version. */
  version: string;
  /** The git commit built: FRAUD_BUILD_COMMIT (the image's build argument), else the checkout's, else `unknown`. */
  commit: string;
  /** The Node.js version running it. */
  node: string;
}

let cached: BuildInfo | undefined;

/** What this process runs, read once: the package's version and commit, and Node's version. */
export function buildInfo(env: NodeJS.ProcessEnv = process.env): BuildInfo {
  return (cached ??= readBuildInfo(env, __dirname));
}

/** buildInfo without the cache, from a folder inside the package (exported for its test). */
export function readBuildInfo(env: NodeJS.ProcessEnv, from: string): BuildInfo {
  const root = packageRoot(from);
  const fromEnv = env.FRAUD_BUILD_COMMIT?.trim();
  return {
    version: root === undefined ? 'unknown' : packageVersion(root),
    commit: fromEnv || (root === undefined ? undefined : gitCommit(root)) || 'unknown',
    node: process.version,
  };
}

/**
 * `fraud_build_info{version,commit,node}` (and `service`) = 1, the usual join
 * target: `* on (service) group_left(version) fraud_build_info`.
 */
export function recordBuildInfo(metrics: Metrics, info: BuildInfo = buildInfo()): void {
  metrics
    .gauge({
      name: 'fraud_build_info',
      help: 'Always 1: the version, git commit and Node.js version this service runs.',
      labelNames: ['version', 'commit', 'node'],
    })
    .set({ ...info }, 1);
}

/** The nearest folder up from `from` with a package.json: src/ under ts-jest, dist/ when built, /app in the image. */
function packageRoot(from: string): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

function packageVersion(root: string): string {
  try {
    const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version?: unknown };
    return typeof version === 'string' && version !== '' ? version : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The checkout's commit (12 hex digits); undefined without git or a repository (the image has neither). */
function gitCommit(root: string): string | undefined {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 2_000,
      encoding: 'utf8',
    }).trim();
    return /^[0-9a-f]{7,40}$/.test(commit) ? commit : undefined;
  } catch {
    return undefined;
  }
}
