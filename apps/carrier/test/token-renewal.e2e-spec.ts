import { aFlag } from '../../registry/test/registry-harness';
import { eventually, query, startProvince, type Province } from './linked-services';

/** Streams end when their token expires; the carrier's own followers renew it and reopen where they stood. */
describe('carrier streams across token expiry: renewed, resumed, nothing lost', () => {
  let province: Province;
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const carrierDb = () => province.carriers.CTCC.db.url;

  beforeAll(async () => {
    // Two-second service tokens, and no clock skew allowed: every stream of the carrier outlives several tokens.
    province = await startProvince(['CTCC'], { env: { AUTH_CLOCK_SKEW_SEC: '0', MINTED_TOKEN_TTL_SEC: '2' } });
  });
  afterAll(() => province.close());

  it('follows the registry feed and the directive stream through several token lifetimes', async () => {
    const numbers = ['+8619300000001', '+8619300000002', '+8619300000003', '+8619300000004'];
    const carrierToRegistry = province.registry.client('carrier:CTCC');
    const administration = province.admin.client('admin:sichuan');
    const issued: string[] = [];
    for (const [i, msisdn] of numbers.entries()) {
      await carrierToRegistry.submitFlags({
        flags: [aFlag(msisdn, { idempotencyKey: `renewal-${i}`, source: 'carrier:CTCC' })],
      });
      const { directive } = await administration.issueDirective({
        idempotencyKey: `renewal-${i}`,
        msisdn,
        kind: 'DIRECTIVE_KIND_REVIEW' as never,
        reason: 'token renewal check',
      });
      issued.push(directive!.directive!.directiveId);
      await pause(1500);
    }
    // Every change reached the carrier's copy in order, and the cursor stands at the registry's head.
    const copies = await eventually(
      () =>
        query<{ msisdn: string; status: string }>(
          carrierDb(),
          `SELECT msisdn, status FROM registry_status WHERE msisdn = ANY($1) ORDER BY msisdn`,
          [numbers],
        ),
      (rows) => rows.length === numbers.length,
    );
    expect(copies.map((r) => r.status)).toEqual(numbers.map(() => 'SUSPECTED'));
    const head = Number(
      (
        await query<{ v: string }>(province.registry.db.url, `SELECT coalesce(max(version), 0) AS v FROM status_change`)
      )[0].v,
    );
    await eventually(
      async () =>
        Number((await query<{ version: string }>(carrierDb(), `SELECT version FROM registry_cursor`))[0].version),
      (cursor) => cursor === head,
    );
    // Every directive was answered by the carrier.
    const answered = await eventually(
      () =>
        province.admin.sql<{ id: string; status: string }>(`SELECT id, status FROM directive WHERE id = ANY($1)`, [
          issued,
        ]),
      (rows) => rows.length === issued.length && rows.every((r) => r.status !== 'PENDING' && r.status !== 'DELIVERED'),
    );
    expect(answered).toHaveLength(issued.length);
    // The streams were indeed ended by expiry, more than once, and reopened.
    const expiries = await query<{ action: string; n: string }>(
      province.registry.db.url,
      `SELECT action, count(*) AS n FROM audit_event
       WHERE role = 'carrier:CTCC' AND detail->>'code' = 'TOKEN_EXPIRED' GROUP BY action`,
    );
    expect(expiries).toEqual([{ action: 'fraud.registry.v1.RegistryService/WatchChanges', n: expect.any(String) }]);
    expect(Number(expiries[0].n)).toBeGreaterThanOrEqual(2);
    expect(
      Number(
        (
          await province.admin.sql<{ n: string }>(
            `SELECT count(*) AS n FROM audit_event WHERE role = 'carrier:CTCC' AND detail->>'code' = 'TOKEN_EXPIRED'`,
          )
        )[0].n,
      ),
    ).toBeGreaterThanOrEqual(2);
  });
});
