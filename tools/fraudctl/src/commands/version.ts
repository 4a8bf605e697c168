import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { positionals, type Command } from '../command';
import { fields } from '../output';

export const versionCommand: Command = {
  name: 'version',
  summary: "fraudctl's version, the commit it was built from, and Node's",
  help: [
    'usage: fraudctl version',
    '',
    "The package's version (package.json), the git commit of the checkout it runs",
    'from ("unknown" outside a git checkout), and the Node.js version. Calls no server.',
  ],
  options: {},
  run(ctx, args) {
    positionals(args, [], 'version');
    const root = projectRoot();
    const info = { version: packageVersion(root), commit: gitCommit(root), node: process.version };
    if (ctx.json) ctx.printJson(info);
    else
      ctx.print(
        fields([
          ['fraudctl', info.version],
          ['commit', info.commit],
          ['node', info.node],
        ]),
      );
    return Promise.resolve();
  },
};

/** The directory of the root package.json: above tools/fraudctl/src, or above dist/tools/fraudctl/src. */
function projectRoot(): string | undefined {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir))
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'bin', 'fraudctl.js'))) return dir;
  return undefined;
}

function packageVersion(root: string | undefined): string {
  if (root === undefined) return 'unknown';
  try {
    return (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The checkout's HEAD, with -dirty when its files differ from it; unknown without git or a checkout. */
function gitCommit(root: string | undefined): string {
  if (root === undefined) return 'unknown';
  const git = (...args: string[]) => spawnSync('git', args, { cwd: root, encoding: 'utf8', timeout: 5000 });
  const head = git('rev-parse', '--short=12', 'HEAD');
  if (head.status !== 0 || !head.stdout.trim()) return 'unknown';
  const dirty = git('status', '--porcelain', '--untracked-files=no');
  return `${head.stdout.trim()}${dirty.status === 0 && dirty.stdout.trim() ? '-dirty' : ''}`;
}
