import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions, resolveDatabaseLogins, runMigrations, type ServiceDatabase } from '@app/persistence';
import { createTestDatabase, type TestDatabase } from '@app/testing';
import {
  AuditEventEntity,
  AuditLog,
  AuditRepository,
  chainHash,
  CreateAuditLog1764400000000,
  GENESIS_HASH,
  NormaliseAuditTargets1764400000710,
  type AuditRecord,
} from '../src';

const before: ServiceDatabase = {
  service: 'audited',
  entities: [AuditEventEntity],
  migrations: [CreateAuditLog1764400000000],
};
const after: ServiceDatabase = {
  ...before,
  migrations: [CreateAuditLog1764400000000, NormaliseAuditTargets1764400000710],
};

const line = (target: string | null, purpose: string): AuditRecord => ({
  at: new Date('2024-03-02T05:00:00Z'),
  actor: 'officer-1',
  role: 'police',
  action: 'fraud.registry.v1.RegistryService/GetNumberRecord',
  target,
  purpose,
  caseId: null,
  outcome: 'OK',
  detail: {},
});

describe('NormaliseAuditTargets migration', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase('audit_targets');
    await runMigrations(database.url, before, undefined, process.env);
    // Lines as the service wrote them before: the target as typed, hashed as typed.
    const owner = await new DataSource(dataSourceOptions(database.url, before, undefined, process.env)).initialize();
    await new AuditRepository(owner).append(
      [
        line('19112345678', 'typed national'),
        line('+8619112345678', 'typed E.164'),
        line('not-a-number', 'garbage'),
        line(null, 'no target'),
      ],
      chainHash,
      GENESIS_HASH,
    );
    await owner.destroy();
    await runMigrations(database.url, after, undefined, process.env);
    const [app] = resolveDatabaseLogins(after, undefined, process.env, database.url);
    dataSource = await new DataSource(dataSourceOptions(app.url, after, undefined, process.env)).initialize();
  });
  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  it('stores old targets in E.164, keeps what their hashes cover, and the chain verifies', async () => {
    const log = new AuditLog(new AuditRepository(dataSource));
    const rows = await log.list({}, 10);
    expect(rows.map((r) => [r.target, r.hashedTarget, r.purpose])).toEqual([
      ['+8619112345678', '19112345678', 'typed national'],
      ['+8619112345678', null, 'typed E.164'],
      ['not-a-number', null, 'garbage'],
      [null, null, 'no target'],
    ]);
    await log.record({
      actor: 'officer-2',
      role: 'police',
      action: 'fraud.registry.v1.RegistryService/GetNumberRecord',
      target: '19112345678',
      purpose: 'after',
      outcome: 'OK',
    });
    expect(await log.verifyChain()).toMatchObject({ intact: true, eventsChecked: 5 });
  });

  it('finds a number in either form, old lines and new, through the target index', async () => {
    const log = new AuditLog(new AuditRepository(dataSource));
    for (const form of ['19112345678', '+8619112345678']) {
      expect((await log.list({ target: form }, 10)).map((r) => r.purpose)).toEqual([
        'typed national',
        'typed E.164',
        'after',
      ]);
    }
    const session = dataSource.createQueryRunner();
    try {
      // A table this small is scanned whole unless told otherwise: the point is that the index can serve the search.
      await session.query('SET enable_seqscan = off');
      const plan: { 'QUERY PLAN': string }[] = await session.query(
        `EXPLAIN SELECT id FROM audit_event WHERE target = $1 ORDER BY id`,
        ['+8619112345678'],
      );
      expect(plan.map((p) => p['QUERY PLAN']).join('\n')).toContain('audit_event_target_idx');
    } finally {
      await session.release();
    }
  });

  it('lets a moved target differ from the hashed one only by +86, and VerifyAuditChain tells otherwise', async () => {
    const owner = new Client({ connectionString: database.url });
    await owner.connect();
    try {
      await owner.query('ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_change');
      await expect(
        owner.query(`UPDATE audit_event SET target = '+8619900000000' WHERE hashed_target IS NOT NULL`),
      ).rejects.toThrow(/audit_event_hashed_target_ck/);
      // A rogue owner who drops the constraint too is still caught by the verification.
      await owner.query('ALTER TABLE audit_event DROP CONSTRAINT audit_event_hashed_target_ck');
      await owner.query(`UPDATE audit_event SET target = '+8619900000000' WHERE hashed_target IS NOT NULL`);
      await owner.query('ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_change');
    } finally {
      await owner.end();
    }
    expect(await new AuditLog(new AuditRepository(dataSource)).verifyChain()).toMatchObject({
      intact: false,
      firstBrokenId: '1',
    });
  });
});
