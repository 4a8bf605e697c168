#!/usr/bin/env node
'use strict';
// fraudctl: runs the compiled CLI (dist/tools/fraudctl), building dist/ first when
// it is missing or older than the sources. The CLI itself: tools/fraudctl/src.
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const entry = path.join(root, 'dist', 'tools', 'fraudctl', 'src', 'cli.js');
const SOURCE_DIRS = ['apps', 'libs', 'scripts', 'tools'];
const SOURCE_FILES = ['tsconfig.json', 'tsconfig.build.json'];

/** The newest modification time of the TypeScript sources the build compiles. */
function newestSource() {
  let newest = 0;
  const visit = (dir) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
      const full = path.join(dir, e.name);
      if (e.isDirectory()) visit(full);
      else if (e.name.endsWith('.ts') && !/\.(spec|int-spec|e2e-spec)\.ts$/.test(e.name))
        newest = Math.max(newest, statSync(full).mtimeMs);
    }
  };
  for (const dir of SOURCE_DIRS) visit(path.join(root, dir));
  for (const file of SOURCE_FILES)
    if (existsSync(path.join(root, file))) newest = Math.max(newest, statSync(path.join(root, file)).mtimeMs);
  return newest;
}

function buildIfStale() {
  const built = existsSync(entry) ? statSync(entry).mtimeMs : 0;
  if (built !== 0 && built >= newestSource()) return;
  process.stderr.write(
    `fraudctl: ${built === 0 ? 'dist/ is missing' : 'dist/ is older than the sources'}: building (npm run build)...\n`,
  );
  const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
  // The compiler's report goes to stderr: stdout stays the command's answer.
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: ['ignore', 2, 2],
  });
  if (result.status !== 0 || !existsSync(entry)) {
    process.stderr.write('fraudctl: the build failed (see above)\n');
    process.exit(1);
  }
}

buildIfStale();
// `fraudctl … | head` closes the pipe early: that is not an error.
process.stdout.on('error', (error) => process.exit(error.code === 'EPIPE' ? 0 : 1));
require(path.join(root, 'dist', 'scripts', 'register-aliases.js'));
const { run } = require(entry);
run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then((code) => {
  process.exitCode = code;
});
