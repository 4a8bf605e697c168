// Every npm script runs this before its dist/ entry point: tsc only when a source is
// newer than the last build's stamp, so `npm run -s token` doesn't wait ~18 s for
// nothing. `--always` (npm run build) builds regardless. CommonJS: jest requires it.
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
/** Written after each successful build; its mtime is when that build started. */
const STAMP = path.join('dist', '.build-stamp');
const SOURCE_FOLDERS = ['apps', 'libs', 'scripts', 'tools'];
const SKIPPED_FOLDERS = new Set(['node_modules', 'dist', 'coverage']);
/** tsconfig.build.json leaves the tests out: editing one needs no build. */
const TEST_FILE = /\.(spec|int-spec|e2e-spec)\.ts$/;

/**
 * The newest mtime (ms) of what the build reads: .ts under apps/ libs/ scripts/ tools/
 * (tests aside), tsconfig*.json and package.json.
 */
function newestSourceMtime(root) {
  let newest = 0;
  const consider = (file) => {
    newest = Math.max(newest, fs.statSync(file).mtimeMs);
  };
  const walk = (folder) => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      const file = path.join(folder, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_FOLDERS.has(entry.name) && !entry.name.startsWith('.')) walk(file);
      } else if (entry.name.endsWith('.ts') && !TEST_FILE.test(entry.name)) {
        consider(file);
      }
    }
  };
  for (const folder of SOURCE_FOLDERS) if (fs.existsSync(path.join(root, folder))) walk(path.join(root, folder));
  for (const name of fs.readdirSync(root)) {
    if (name === 'package.json' || (name.startsWith('tsconfig') && name.endsWith('.json')))
      consider(path.join(root, name));
  }
  return newest;
}

/** Why a build is needed under `root`, or null when dist/ is up to date. */
function staleReason(root) {
  const stamp = path.join(root, STAMP);
  if (!fs.existsSync(stamp)) return 'no build yet';
  return newestSourceMtime(root) > fs.statSync(stamp).mtimeMs ? 'sources changed' : null;
}

/** tsc -p tsconfig.build.json; on success the stamp, dated when the build started. Returns its exit status. */
function build(root) {
  const started = new Date();
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], {
    cwd: root,
    // The compiler's report goes to stderr: stdout stays the script's answer.
    stdio: ['ignore', 2, 2],
  });
  if (result.status !== 0) return result.status ?? 1;
  const stamp = path.join(root, STAMP);
  fs.mkdirSync(path.dirname(stamp), { recursive: true });
  fs.writeFileSync(stamp, `${started.toISOString()}\n`);
  // A source saved during the build is newer than this, so the next run builds again.
  fs.utimesSync(stamp, started, started);
  return 0;
}

module.exports = { STAMP, newestSourceMtime, staleReason, build };

if (require.main === module) {
  const always = process.argv.includes('--always');
  const reason = always ? 'requested' : staleReason(ROOT);
  if (reason !== null) {
    // On stderr: the scripts' own output (a token, JSON) stays clean on stdout.
    if (!always) process.stderr.write(`building (${reason}; the first build takes ~20 s)…\n`);
    process.exit(build(ROOT));
  }
}
