import { Client } from 'pg';
import { aFlag, numbers, RegistryHarness } from './registry-harness';

/** SQLSTATE 42501: the role lacks the privilege (or is not the table's owner). */
const INSUFFICIENT_PRIVILEGE = { code: '42501' };

describe('the registry serves as a least-privilege database role', () => {
  let registry: RegistryHarness;
  let app: Client;
  const [msisdn] = numbers(1, 9100);

  beforeAll(async () => {
    registry = await RegistryHarness.start();
    app = new Client({ connectionString: registry.appDatabaseUrl });
    await app.connect();
  });
  afterAll(async () => {
    await app.end();
    await registry.close();
  });

  it('connects as fraud_app, not as the owner of the tables', async () => {
    const owner = new URL(registry.db.url).username;
    const [session] = (
      await app.query<{ user: string; superuser: string }>(
        `SELECT current_user AS user, current_setting('is_superuser') AS superuser`,
      )
    ).rows;
    expect(session).toEqual({ user: 'fraud_app', superuser: 'off' });
    expect(session.user).not.toBe(owner);
    const owners = (
      await app.query<{ owner: string }>(
        `SELECT DISTINCT tableowner AS owner FROM pg_tables WHERE schemaname = 'public'`,
      )
    ).rows;
    expect(owners).toEqual([{ owner }]);
  });

  it('cannot alter tables, drop or disable the audit trigger, or delete or truncate audit lines', async () => {
    for (const statement of [
      'ALTER TABLE audit_event ADD COLUMN note text',
      'ALTER TABLE number_status DROP COLUMN cleared_at',
      'DROP TRIGGER audit_event_no_change ON audit_event',
      'ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_change',
      'ALTER TABLE audit_event DISABLE TRIGGER ALL',
      'DROP TABLE flag',
      'DELETE FROM audit_event',
      'UPDATE audit_event SET purpose = NULL',
      'TRUNCATE audit_event',
      'TRUNCATE number_status',
      'CREATE TABLE scratch (id int)',
    ]) {
      await expect(app.query(statement)).rejects.toMatchObject(INSUFFICIENT_PRIVILEGE);
    }
    await expect(app.query(`SET session_replication_role = replica`)).rejects.toMatchObject(INSUFFICIENT_PRIVILEGE);
  });

  it('does its normal work under that role: flags, records, the audit log and its verification', async () => {
    const carrier = registry.client('carrier:CTCC');
    const auditor = registry.client('auditor');
    expect((await carrier.submitFlags({ flags: [aFlag(msisdn)] })).results).toHaveLength(1);
    expect(await registry.client('police').getNumberRecord({ msisdn, purpose: 'least privilege check' })).toMatchObject(
      { msisdn, status: 'NUMBER_STATUS_SUSPECTED' },
    );
    const { events } = await auditor.listAuditEvents({ target: msisdn });
    expect(events.map((e) => e.purpose)).toEqual(['least privilege check']);
    expect(await auditor.verifyAuditChain()).toMatchObject({ intact: true });
  });
});
