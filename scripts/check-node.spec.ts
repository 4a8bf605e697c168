import { spawnSync } from 'node:child_process';
import path from 'node:path';

const script = path.join(__dirname, 'check-node.cjs');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a plain CommonJS file, run before any build
const { nodeVersionProblem } = require(script) as { nodeVersionProblem: (version: string) => string | null };

describe('check-node', () => {
  it.each(['20.19.0', 'v20.19.0', '20.20.2', '22.0.0', '24.11.1'])('accepts Node %s', (version) => {
    expect(nodeVersionProblem(version)).toBeNull();
  });

  it.each(['18.20.4', 'v20.18.3', '16.0.0', '20.9.0'])('refuses Node %s, naming it and what to install', (version) => {
    expect(nodeVersionProblem(version)).toBe(
      `fraud-numbers needs Node.js 20.19 or later, found ${version.replace(/^v/, '')}: ` +
        'install Node.js 20.19+ or 22 LTS (e.g. nvm install 22) and run it again',
    );
  });

  it('exits 1 with one line on stderr for a faked old version, 0 silently for this Node', () => {
    const old = spawnSync(process.execPath, [script, '18.20.4'], { encoding: 'utf8' });
    expect(old.status).toBe(1);
    expect(old.stdout).toBe('');
    expect(old.stderr.trim().split('\n')).toEqual([expect.stringContaining('found 18.20.4: install Node.js 20.19+')]);

    const current = spawnSync(process.execPath, [script], { encoding: 'utf8' });
    expect(current).toMatchObject({ status: 0, stdout: '', stderr: '' });
  });
});
