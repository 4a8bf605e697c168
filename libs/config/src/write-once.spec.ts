import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeOnce } from './write-once';

describe(writeOnce.name, () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'write-once-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the file whole when there is none, with its mode, and leaves no draft behind', () => {
    const path = join(dir, 'secret.key');
    expect(writeOnce(path, 'first\n', 0o600)).toBe('first\n');
    expect(readFileSync(path, 'utf8')).toBe('first\n');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['secret.key']);
  });

  it('answers what the first writer wrote, and never overwrites it', () => {
    const path = join(dir, 'secret.key');
    writeFileSync(path, 'theirs\n');
    expect(writeOnce(path, 'mine\n', 0o600)).toBe('theirs\n');
    expect(writeOnce(path, 'mine again\n', 0o600)).toBe('theirs\n');
    expect(readFileSync(path, 'utf8')).toBe('theirs\n');
    expect(readdirSync(dir)).toEqual(['secret.key']);
  });

  it('reports a folder it cannot write to, and leaves nothing', () => {
    expect(() => writeOnce(join(dir, 'missing', 'secret.key'), 'x', 0o600)).toThrow(/ENOENT/);
    expect(readdirSync(dir)).toEqual([]);
  });
});
