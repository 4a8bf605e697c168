import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ConsoleLogger, Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { InjectRepository, TypeOrmModule } from '@nestjs/typeorm';
import { Client } from 'pg';
import { Column, Entity, PrimaryColumn, type MigrationInterface, type QueryRunner, type Repository } from 'typeorm';
import { ConfigModule } from '@app/config';
import { freePort } from '@app/testing';
import {
  EmbeddedPostgresInUseError,
  PersistenceModule,
  startEmbeddedPostgres,
  urlWithDatabase,
  type EmbeddedServer,
} from '@app/persistence';
import { isAlive } from '../src/embedded-postgres.host';

async function query(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

const repoRoot = path.resolve(__dirname, '../../..');

// Plain Node cannot load our TypeScript: the child compiles it with swc, as jest does.
const DOOMED_PROCESS = `
const swc = require('@swc/core');
require('pirates').addHook(
  (code, filename) =>
    swc.transformSync(code, { filename, jsc: { parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }).code,
  { exts: ['.ts'] },
);
const [, modulePath, dataDir, port] = process.argv;
require(modulePath)
  .startEmbeddedPostgres({ dataDir, port: Number(port), durable: false })
  .then((server) => { process.stdout.write(server.pid + '\\n'); setInterval(() => undefined, 1000); });
`;

/** Starts the server from a child process, SIGKILLs that process, and returns the orphaned postgres pid. */
async function startInDoomedProcess(dataDir: string, port: number): Promise<number> {
  const modulePath = path.join(repoRoot, 'libs/persistence/src/embedded-postgres.ts');
  const child = spawn(process.execPath, ['-e', DOOMED_PROCESS, modulePath, dataDir, String(port)], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
  return Number(line.toString().trim());
}

async function waitUntilGone(pid: number): Promise<void> {
  while (isAlive(pid)) await new Promise((resolve) => setTimeout(resolve, 20));
}

@Entity('greetings')
class Greeting {
  @PrimaryColumn('text') id!: string;
  @Column('text') text!: string;
}

class CreateGreetings1700000000000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE greetings (id text PRIMARY KEY, text text NOT NULL)`);
    await runner.query(`INSERT INTO greetings VALUES ('hello', 'from a migration')`);
  }
  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE greetings');
  }
}

@Injectable()
class GreetingReader {
  constructor(@InjectRepository(Greeting) private readonly greetings: Repository<Greeting>) {}
  read(id: string): Promise<Greeting | null> {
    return this.greetings.findOneBy({ id });
  }
}

// One data folder and one server for the whole file: each start costs time.
describe('startEmbeddedPostgres', () => {
  let dataDir: string;
  let port: number;
  let server: EmbeddedServer;
  const start = () => startEmbeddedPostgres({ dataDir, port, durable: false });
  const pgFile = (name: string) => path.join(dataDir, 'pg', name);

  beforeAll(async () => {
    dataDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'embedded-pg-'));
    await fsp.chmod(dataDir, 0o755); // when root, OS user postgres must be able to enter it
    port = await freePort([54329]);
    server = await start();
  });

  afterAll(async () => {
    await server?.stop();
    await fsp.rm(dataDir, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 only, without a unix socket, behind a password', async () => {
    const [settings] = await query(
      server.serverUrl,
      `SELECT current_setting('listen_addresses') AS listen,
         current_setting('unix_socket_directories') AS sockets, current_user AS "user"`,
    );
    expect(settings).toEqual({ listen: '127.0.0.1', sockets: '', user: 'fraud' });
    await expect(query(server.serverUrl.replace(':fraud@', ':wrong@'), 'SELECT 1')).rejects.toThrow(
      /password authentication failed/,
    );
  });

  it('writes PostgreSQL output to pg.log, not the console', () => {
    expect(server.logFile).toBe(path.join(dataDir, 'pg.log'));
    expect(fs.readFileSync(server.logFile, 'utf8')).toMatch(/ready to accept connections/);
  });

  it('keeps the data across a restart without initialising again', async () => {
    const initialisedAt = fs.statSync(pgFile('PG_VERSION')).mtimeMs;
    await query(server.serverUrl, `CREATE TABLE kept (v text); INSERT INTO kept VALUES ('before restart')`);
    await server.stop();
    await server.stop(); // idempotent
    server = await start();
    expect(await query(server.serverUrl, 'SELECT v FROM kept')).toEqual([{ v: 'before restart' }]);
    expect(fs.statSync(pgFile('PG_VERSION')).mtimeMs).toBe(initialisedAt);
  });

  it('starts again after a crash left a stale postmaster.pid', async () => {
    process.kill(server.pid, 'SIGKILL');
    await waitUntilGone(server.pid);
    expect(fs.existsSync(pgFile('postmaster.pid'))).toBe(true);
    server = await start();
    expect(await query(server.serverUrl, 'SELECT v FROM kept')).toEqual([{ v: 'before restart' }]);
  });

  it('refuses a data folder that a live process is serving', async () => {
    await expect(start()).rejects.toThrow(EmbeddedPostgresInUseError);
    await expect(start()).rejects.toThrow(/already running \(postgres pid \d+, started by process \d+\)/);
  });

  it('stops a server left running by a process that died, then takes over', async () => {
    await server.stop();
    const orphan = await startInDoomedProcess(dataDir, port);
    expect(isAlive(orphan)).toBe(true);
    server = await start();
    expect(server.pid).not.toBe(orphan);
    expect(isAlive(orphan)).toBe(false);
    expect(await query(server.serverUrl, 'SELECT v FROM kept')).toEqual([{ v: 'before restart' }]);
  });

  it('fails clearly when another program holds the port', async () => {
    const taken: Server = createServer();
    const takenPort = await freePort([54329]);
    await new Promise<void>((resolve) => taken.listen(takenPort, '127.0.0.1', resolve));
    const otherDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'embedded-pg-port-'));
    await fsp.chmod(otherDir, 0o755);
    try {
      await expect(startEmbeddedPostgres({ dataDir: otherDir, port: takenPort })).rejects.toThrow(
        `port ${takenPort} on 127.0.0.1 is already taken by another program; set EMBEDDED_PG_PORT`,
      );
    } finally {
      taken.close();
      await fsp.rm(otherDir, { recursive: true, force: true });
    }
  });

  it('serves PersistenceModule without DATABASE_URL: creates the database, migrates, stops on shutdown', async () => {
    await server.stop();
    const env = { DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(port) };
    const db = { service: 'greeter', entities: [Greeting], migrations: [CreateGreetings1700000000000] };
    const app = await Test.createTestingModule({
      imports: [ConfigModule.forEnv(env), PersistenceModule.forService(db), TypeOrmModule.forFeature([Greeting])],
      providers: [GreetingReader],
    })
      .setLogger(new ConsoleLogger({ logLevels: ['error'] }))
      .compile();
    await app.init();
    expect(await app.get(GreetingReader).read('hello')).toMatchObject({ text: 'from a migration' });
    const postgresPid = Number(fs.readFileSync(pgFile('postmaster.pid'), 'utf8').split('\n')[0]);
    await app.close();
    expect(isAlive(postgresPid)).toBe(false);
    expect(fs.existsSync(pgFile('postmaster.pid'))).toBe(false);
    // Back on the file's own server: the database and its migration stayed.
    server = await start();
    const url = urlWithDatabase(server.serverUrl, 'fraud_greeter');
    expect(await query(url, 'SELECT name FROM greeter_migrations')).toEqual([{ name: 'CreateGreetings1700000000000' }]);
  });
});
