import { DEFAULT_POLICY, type Msisdn } from '@app/domain';
import { rowsOf } from '@app/testing';
import { AdminHarness } from '../../apps/admin/test/admin-harness';
import { CarrierHarness } from '../../apps/carrier/test/carrier-harness';
import { query, subscribe, suspend } from '../../apps/carrier/test/ladder-helpers';
import { RegistryHarness } from '../../apps/registry/test/registry-harness';
import { bearer, probe, type ProbeCall, type ProbeResult } from './probe';

/** Identical retries sent at once, on threads of the independent client. */
const RETRIES = 50;

/** The same call RETRIES times at once. */
function retried(call: ProbeCall): Promise<ProbeResult[]> {
  return probe(
    Array.from({ length: RETRIES }, () => call),
    { parallel: true },
  );
}

/**
 * All answered OK, exactly one as the first call (proto3 JSON leaves `replayed`
 * out when false) and every other one the same answer marked replayed.
 */
function oneFirstAnswer(
  results: ProbeResult[],
  replayed: (response: Record<string, unknown>) => boolean = (r) => r.replayed === true,
): Record<string, unknown> {
  expect(results.map((r) => `${r.code} ${r.details}`)).toEqual(results.map(() => 'OK '));
  const responses = results.map((r) => r.response!);
  const firsts = responses.filter((r) => !replayed(r));
  expect(firsts).toHaveLength(1);
  const strip = (r: Record<string, unknown>) =>
    JSON.parse(JSON.stringify(r, (key, value: unknown) => (key === 'replayed' ? undefined : value))) as unknown;
  for (const response of responses) expect(strip(response)).toEqual(strip(firsts[0]));
  return firsts[0];
}

/** All answered OK and alike (answers without a replay flag). */
function sameAnswers(results: ProbeResult[]): Record<string, unknown> {
  expect(results.map((r) => `${r.code} ${r.details}`)).toEqual(results.map(() => 'OK '));
  for (const result of results) expect(result.response).toEqual(results[0].response);
  return results[0].response!;
}

const rfc3339 = (ms: number) => new Date(ms).toISOString();
const evidence = (at: number) => ({
  summary: '26 calls to 24 numbers in 85 minutes',
  window_start: rfc3339(at - 5_100_000),
  window_end: rfc3339(at),
  measures: [{ name: 'calls_90m', value: 26, threshold: 20 }],
  cells: [{ cell: '460-11-23456-1', at: rfc3339(at - 600_000), activity: 'call' }],
});

describe(`${RETRIES} identical retries at once from an independent client`, () => {
  // One client retries a stream 50 times at once here: the limits per client (tested in
  // admission.security-spec.ts) are raised, so that what is tested is the retries' one effect.
  const env = { LIMIT_STREAMS_PER_CLIENT: String(RETRIES * 2) };

  describe('the registry', () => {
    let registry: RegistryHarness;
    const count = async (sql: string, params: unknown[]) => {
      const rows = await rowsOf(registry.db.url, sql, params);
      return Number(rows[0].n);
    };

    beforeAll(async () => {
      registry = await RegistryHarness.start({ env });
    });
    afterAll(() => registry.close());

    const flagCall = (key: string, msisdn: string): ProbeCall => ({
      target: registry.address,
      method: 'fraud.registry.v1.RegistryService/SubmitFlags',
      request: {
        flags: [
          {
            idempotency_key: key,
            msisdn,
            source: 'carrier:CTCC',
            reason_codes: ['CALL_BURST'],
            score: 0.7,
            evidence: evidence(Date.now() - 60_000),
            observed_at: rfc3339(Date.now() - 60_000),
          },
        ],
      },
      metadata: bearer(registry.token('carrier:CTCC')),
      timeout: 60,
    });

    it('SubmitFlags lists once', async () => {
      const results = await retried(flagCall('sec-flag-1', '+8619188000001'));
      oneFirstAnswer(results, (r) => (r.results as { replayed?: boolean }[])[0].replayed === true);
      expect(await count(`SELECT count(*) AS n FROM flag WHERE idempotency_key = $1`, ['sec-flag-1'])).toBe(1);
      expect(await count(`SELECT count(*) AS n FROM status_change WHERE msisdn = $1`, ['+8619188000001'])).toBe(1);
    });

    it('VerifyNumber confirms once and refuses none', async () => {
      const [listed] = await retried(flagCall('sec-flag-2', '+8619188000002'));
      expect(listed.code).toBe('OK');
      const results = await retried({
        target: registry.address,
        method: 'fraud.registry.v1.RegistryService/VerifyNumber',
        request: {
          idempotency_key: 'sec-verify-1',
          msisdn: '+8619188000002',
          outcome: 'VERIFICATION_OUTCOME_CONFIRMED',
          case_id: 'CD-2024-0117',
          note: 'raided',
        },
        metadata: bearer(registry.token('police', 'officer-0427')),
        timeout: 60,
      });
      expect(oneFirstAnswer(results)).toMatchObject({ status: 'NUMBER_STATUS_CONFIRMED' });
      expect(await count(`SELECT count(*) AS n FROM verification WHERE idempotency_key = $1`, ['sec-verify-1'])).toBe(
        1,
      );
    });
  });

  describe('the admin', () => {
    let admin: AdminHarness;
    const count = async (sql: string, params: unknown[] = []) =>
      Number((await admin.sql<{ n: string }>(sql, params))[0].n);
    const call = (method: string, request: unknown, role = 'admin:sichuan'): ProbeCall => ({
      target: admin.address,
      method: `fraud.admin.v1.AdminService/${method}`,
      request,
      metadata: bearer(admin.token(role)),
      timeout: 60,
    });

    beforeAll(async () => {
      admin = await AdminHarness.start({ env });
    });
    afterAll(() => admin.close());

    it('IssueDirective issues once, and the admin answers a read afterwards', async () => {
      const results = await retried(
        call('IssueDirective', {
          idempotency_key: 'sec-issue-1',
          msisdn: '19188000003',
          kind: 'DIRECTIVE_KIND_REVIEW',
          reason: 'reported by three carriers',
        }),
      );
      oneFirstAnswer(results);
      expect(await count(`SELECT count(*) AS n FROM directive WHERE idempotency_key = 'issue:sec-issue-1'`)).toBe(1);
      const [listed] = await probe([call('ListDirectives', { page: { page_size: 5 } }, 'analyst')]);
      expect(listed.code).toBe('OK');
      expect(listed.response).toHaveProperty('directives');
    });

    it('AddHighRiskCell and RemoveHighRiskCell change the list once each', async () => {
      oneFirstAnswer(
        await retried(
          call('AddHighRiskCell', {
            idempotency_key: 'sec-add-1',
            cell: '460-11-88000-1',
            reason: 'police tip-off',
            source: 'police:chengdu',
            expires_in_days: 7,
          }),
        ),
      );
      oneFirstAnswer(
        await retried(
          call('RemoveHighRiskCell', {
            idempotency_key: 'sec-remove-1',
            cell: '460-11-88000-1',
            reason: 'raid finished',
          }),
        ),
      );
      expect(await count(`SELECT count(*) AS n FROM high_risk_cell_change`)).toBe(2);
    });

    it('SetPortedNumber ports once', async () => {
      oneFirstAnswer(
        await retried(
          call('SetPortedNumber', { idempotency_key: 'sec-port-1', msisdn: '19188000004', carrier: 'CMCC' }),
        ),
      );
      expect(await count(`SELECT count(*) AS n FROM ported_number_change WHERE idempotency_key = 'sec-port-1'`)).toBe(
        1,
      );
    });

    it('SubmitCarrierFeed stores each item once', async () => {
      const at = Date.now() - 60_000;
      const items = [
        {
          idempotency_key: 'sec-feed-1',
          decision: {
            decision_id: 'sec-feed-1',
            msisdn: '+8619188000005',
            action: 'ACTION_WARN',
            previous: 'ACTION_NONE',
            reasons: ['CALL_BURST'],
            score: 0.5,
            policy: 'default@2',
            at: rfc3339(at),
            evidence: evidence(at),
          },
        },
        {
          idempotency_key: 'sec-feed-2',
          daily_count: {
            day: '2024-02-07',
            policy: 'default@2',
            action: 'ACTION_WARN',
            reason: 'CALL_BURST',
            count: 3,
          },
        },
      ];
      const results = await retried(call('SubmitCarrierFeed', { items }, 'carrier:CTCC'));
      expect(results.every((r) => r.code === 'OK')).toBe(true);
      // Per item: one call accepted both, every other one replayed both (zeros are left out of proto3 JSON).
      expect(results.filter((r) => r.response?.accepted === 2 && r.response.replayed === undefined)).toHaveLength(1);
      expect(results.filter((r) => r.response?.accepted === undefined && r.response?.replayed === 2)).toHaveLength(
        RETRIES - 1,
      );
      expect(await count(`SELECT count(*) AS n FROM carrier_decision WHERE decision_id = 'sec-feed-1'`)).toBe(1);
    });

    it('StreamDirectives records one acknowledgement sent on many streams at once', async () => {
      const [issued] = await probe([
        call('IssueDirective', {
          idempotency_key: 'sec-ack-1',
          msisdn: '19288000006',
          kind: 'DIRECTIVE_KIND_REVIEW',
          reason: 'reported',
        }),
      ]);
      const id = (issued.response!.directive as { directive: { directive_id: string } }).directive.directive_id;
      const results = await retried({
        ...call('StreamDirectives', undefined, 'carrier:CBN'),
        requests: [
          { ack: { directive_id: id, outcome: 'DIRECTIVE_OUTCOME_APPLIED', detail: 'reviewed', state: 'ACTION_WARN' } },
        ],
        hold: 0.5,
        read_for: 1.5,
      } as ProbeCall);
      expect(results.every((r) => r.code === 'OK' || r.code === 'CANCELLED')).toBe(true);
      const rows = await admin.sql(`SELECT status, ack_detail FROM directive WHERE id = $1`, [id]);
      expect(rows).toEqual([{ status: 'APPLIED', ack_detail: 'reviewed' }]);
    });
  });

  describe('a carrier', () => {
    let carrier: CarrierHarness;
    const count = async (sql: string, params: unknown[] = []) => Number((await query(carrier, sql, params))[0].n);
    const call = (method: string, request: unknown, role = 'carrier:CTCC'): ProbeCall => ({
      target: carrier.address,
      method: `fraud.carrier.v1.CarrierService/${method}`,
      request,
      metadata: bearer(carrier.token(role, 'ops-li')),
      timeout: 60,
    });
    let reactivated: Msisdn;
    let appealed: Msisdn;
    let declared: Msisdn;

    beforeAll(async () => {
      carrier = await CarrierHarness.start('CTCC', { env });
      [reactivated, appealed, declared] = await subscribe(carrier, carrier.client(), [
        '13388000001',
        '13388000002',
        '13388000003',
      ]);
      await suspend(carrier, reactivated);
      await suspend(carrier, appealed);
    });
    afterAll(() => carrier.close());

    const restores = (msisdn: string) =>
      count(`SELECT count(*) AS n FROM decision WHERE msisdn = $1 AND action = 'RESTORE' AND NOT shadow`, [msisdn]);

    it('Reactivate restores once', async () => {
      const results = await retried(
        call('Reactivate', {
          idempotency_key: 'sec-reactivate-1',
          msisdn: reactivated,
          verification_reference: 'ticket-1',
          national_id: '11010519491231002X',
          id_verified: true,
        }),
      );
      expect(oneFirstAnswer(results)).toMatchObject({ outcome: 'REACTIVATION_OUTCOME_RESTORED', state: 'ACTION_NONE' });
      expect(await count(`SELECT count(*) AS n FROM reactivation WHERE idempotency_key = 'sec-reactivate-1'`)).toBe(1);
      expect(await restores(reactivated)).toBe(1);
    });

    it('ResolveAppeal restores once', async () => {
      const results = await retried(
        call(
          'ResolveAppeal',
          {
            idempotency_key: 'sec-appeal-1',
            msisdn: appealed,
            upheld: true,
            reference: 'appeal-1',
            note: 'employer confirmed',
          },
          'admin:sichuan',
        ),
      );
      expect(oneFirstAnswer(results)).toMatchObject({ state: 'ACTION_NONE' });
      expect(await count(`SELECT count(*) AS n FROM appeal WHERE idempotency_key = 'sec-appeal-1'`)).toBe(1);
      expect(await restores(appealed)).toBe(1);
    });

    it('DeclareProfile declares once', async () => {
      const results = await retried(
        call('DeclareProfile', {
          idempotency_key: 'sec-declare-1',
          msisdn: declared,
          profile: 'USAGE_PROFILE_COURIER',
          attested_by: 'SF Express',
          attestation_reference: 'SF-1',
        }),
      );
      expect(oneFirstAnswer(results)).toMatchObject({ profile: 'USAGE_PROFILE_COURIER' });
      expect(await count(`SELECT count(*) AS n FROM profile_declaration WHERE idempotency_key = 'sec-declare-1'`)).toBe(
        1,
      );
    });

    it('PutPolicy stores once and SetPolicy switches once, answering all alike', async () => {
      const stored = sameAnswers(
        await retried(
          call('PutPolicy', { document: JSON.stringify({ ...DEFAULT_POLICY, version: 90, description: 'retried' }) }),
        ),
      );
      expect(stored).toMatchObject({ version: { name: 'default', version: 90 } });
      const before = await count(`SELECT count(*) AS n FROM policy_assignment`);
      expect(
        sameAnswers(
          await retried(call('SetPolicy', { policy: 'default@90', mode: 'POLICY_MODE_SHADOW', reason: 'shadow run' })),
        ),
      ).toEqual({ active: 'default@5', shadow: 'default@90' });
      expect(await count(`SELECT count(*) AS n FROM policy_assignment`)).toBe(before + 1);
    });

    it('IngestEvents retried on many streams at once analyses each event once', async () => {
      const caller = '+8613388000009';
      const start = Date.parse('2024-03-04T09:00:00+08:00');
      const events = [
        {
          id: 'sec-sub',
          at_ms: start,
          subscriber: {
            msisdn: caller,
            activated_at_ms: Date.parse('2024-03-01T00:00:00+08:00'),
            real_name_verified: false,
            profile: 'USAGE_PROFILE_NONE',
          },
        },
        ...Array.from({ length: 60 }, (_, i) => ({
          id: `sec-call-${i}`,
          at_ms: start + i * 30_000,
          call: {
            caller,
            callee: `+86137${String(20_000_000 + i * 7).padStart(8, '0')}`,
            duration_sec: 2,
            answered: false,
            cell: '460-11-10001-1',
          },
        })),
      ];
      const results = await retried({ ...call('IngestEvents', undefined), requests: [{ events }] } as ProbeCall);
      expect(results.every((r) => r.code === 'OK')).toBe(true);
      const sum = (field: string) => results.reduce((total, r) => total + Number(r.response?.[field] ?? 0), 0);
      expect(sum('accepted')).toBe(events.length);
      expect(sum('duplicates')).toBe(events.length * (RETRIES - 1));
      expect(sum('decisions')).toBeGreaterThan(0);
      expect(await count(`SELECT count(*) AS n FROM decision WHERE msisdn = $1 AND NOT shadow`, [caller])).toBe(
        sum('decisions'),
      );
    });
  });
});
