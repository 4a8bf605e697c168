import {
  AUDIT_APP_PRIVILEGES,
  AuditEventEntity,
  AuditLog,
  AuditRepository,
  CreateAuditLog1764400000000,
  NormaliseAuditTargets1764400000710,
} from '@app/audit';
import { openTestDataSource, type TestDataSource } from '@app/testing';

const auditDatabase = {
  service: 'audit',
  entities: [AuditEventEntity],
  migrations: [CreateAuditLog1764400000000, NormaliseAuditTargets1764400000710],
  appPrivileges: AUDIT_APP_PRIVILEGES,
};

describe('AuditLog group commit (real PostgreSQL)', () => {
  let db: TestDataSource;
  let log: AuditLog;

  beforeAll(async () => {
    db = await openTestDataSource(auditDatabase);
    log = new AuditLog(new AuditRepository(db.dataSource));
  });
  afterAll(() => db.drop());

  it('appends in a transaction of its own when a writer inside a transaction starts the flush', async () => {
    let written: Promise<void> | undefined;
    await db.dataSource.transaction(async (em) => {
      // Not awaited here: the line is durable on its own, not with this transaction.
      written = log.record({
        actor: 'officer-1',
        role: 'police',
        action: 'fraud.registry.v1.RegistryService/GetNumberRecord',
        outcome: 'OK',
      });
      await em.query('SELECT 1');
    });
    await written;
    await expect(log.list({ actor: 'officer-1' }, 10)).resolves.toHaveLength(1);
    await expect(log.verifyChain()).resolves.toMatchObject({ intact: true, eventsChecked: 1 });
  });
});
