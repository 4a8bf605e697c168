import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';

/**
 * Writes `content` to `path` unless the file exists, and answers what the file holds: this content, or that of the
 * process that wrote it first. The file appears whole or not at all (written beside it, then hard-linked into place),
 * so a process starting at the same moment never reads it half written, as it could after an exclusive open.
 */
export function writeOnce(path: string, content: string, mode: number): string {
  const draft = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(draft, content, { mode, flag: 'wx' });
  try {
    linkSync(draft, path);
    return content;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return readFileSync(path, 'utf8');
  } finally {
    unlinkSync(draft);
  }
}
