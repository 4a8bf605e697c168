import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const SHIM = resolve(__dirname, '../../../bin/fraudctl.js');

/**
 * bin/fraudctl.js in a project of its own: a stand-in compiled CLI whose run()
 * echoes its arguments and answers 7, and a stand-in tsc that "builds" it, so
 * the test sees what the shim does without a real (slow) build.
 */
describe('bin/fraudctl.js', () => {
  let root: string;
  const CLI =
    'exports.run = async (argv, io) => { ' +
    `io.stdout.write(JSON.stringify({ argv, aliases: global.aliasesLoaded === true }) + '\\n'); return 7; };\n`;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'fraudctl-shim-'));
    mkdirSync(join(root, 'bin'));
    copyFileSync(SHIM, join(root, 'bin', 'fraudctl.js'));
    mkdirSync(join(root, 'dist', 'scripts'), { recursive: true });
    writeFileSync(join(root, 'dist', 'scripts', 'register-aliases.js'), 'global.aliasesLoaded = true;\n');
    mkdirSync(join(root, 'tools', 'fraudctl', 'src'), { recursive: true });
    writeFileSync(join(root, 'tools', 'fraudctl', 'src', 'cli.ts'), '// source\n');
    mkdirSync(join(root, 'node_modules', 'typescript', 'bin'), { recursive: true });
    writeFileSync(
      join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
      "const fs = require('node:fs'); fs.mkdirSync('dist/tools/fraudctl/src', { recursive: true }); " +
        `fs.writeFileSync('dist/tools/fraudctl/src/cli.js', ${JSON.stringify(CLI)}); ` +
        "console.log('tsc ' + process.argv.slice(2).join(' '));\n",
    );
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const fraudctl = (...argv: string[]) =>
    spawnSync(process.execPath, [join(root, 'bin', 'fraudctl.js'), ...argv], { cwd: tmpdir(), encoding: 'utf8' });

  it('builds when dist/ is missing (stderr says so), then runs the CLI, passing arguments and exit status', () => {
    const first = fraudctl('check', '19112345678', '--json');
    expect(first.stderr).toContain('fraudctl: dist/ is missing: building (npm run build)...');
    expect(first.stderr).toContain('tsc -p tsconfig.build.json');
    expect(JSON.parse(first.stdout)).toEqual({ argv: ['check', '19112345678', '--json'], aliases: true });
    expect(first.status).toBe(7);

    // Built and newer than the sources: no build, nothing on stderr.
    const second = fraudctl('--help');
    expect(second).toMatchObject({ status: 7, stderr: '' });
    expect(JSON.parse(second.stdout).argv).toEqual(['--help']);
  });

  it('rebuilds when a source is newer than dist/', () => {
    fraudctl('--help');
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(root, 'tools', 'fraudctl', 'src', 'cli.ts'), later, later);
    const result = fraudctl('token', 'police');
    expect(result.stderr).toContain('fraudctl: dist/ is older than the sources: building (npm run build)...');
    expect(result.status).toBe(7);
  });
});
