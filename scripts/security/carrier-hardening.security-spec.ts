import { toWire } from '../../apps/carrier/test/carrier-harness';
import { eventually, startLinked, type LinkedServices } from '../../apps/carrier/test/linked-services';
import { AnalysisService } from '../../apps/carrier/src/analysis/analysis.service';
import type { CarrierEvent, Msisdn } from '@app/domain';
import { wangiri } from '../../libs/domain/src/carrier/fixtures';
import { bearer, probe, type ProbeCall } from './probe';

const CARRIER = 'fraud.carrier.v1.CarrierService';
const NATIONAL_ID = '11010519491231002X';

/**
 * The carrier hardening, end to end from an independent client (C-core gRPC
 * from Python): a future-dated event cannot blind a carrier, a police-confirmed
 * number cannot be restored or re-profiled at a carrier, explain shows the
 * registry's status, and an empty batch is refused. A real registry is linked,
 * so the confirmation travels the way it does in production.
 */
describe('carrier hardening through the independent client', () => {
  let linked: LinkedServices;
  let carrierToken: string;
  const fraud = wangiri();
  const subject = fraud.subject;

  beforeAll(async () => {
    linked = await startLinked('CTCC');
    carrierToken = linked.carrier.token('carrier:CTCC', 'shop-chengdu-12');
  });
  afterAll(() => linked?.close());

  const onCarrier = (method: string, call: Omit<ProbeCall, 'target' | 'method'>): ProbeCall => ({
    target: linked.carrier.address,
    method: `${CARRIER}/${method}`,
    metadata: bearer(carrierToken),
    ...call,
  });
  /** Fixture events moved so that the last one happened a minute ago. */
  const endingNow = (events: CarrierEvent[]): CarrierEvent[] => {
    const ingestible = events.filter((e) => e.type !== 'high_risk_cell');
    const offset = Date.now() - 60_000 - ingestible[ingestible.length - 1].at;
    return ingestible.map((e) =>
      e.type === 'subscriber'
        ? { ...e, at: e.at + offset, activatedAt: e.activatedAt + offset }
        : { ...e, at: e.at + offset },
    );
  };

  it('refuses an event dated ahead of its clock as future; later current events are analysed, not late', async () => {
    const future = (atMs: number) => ({
      at_ms: String(atMs),
      call: { caller: '19200000099', callee: '13800000001', duration_sec: 10, answered: true },
    });
    const [outlier, current] = await probe([
      onCarrier('IngestEvents', {
        requests: [
          { events: [future(Date.parse('2099-12-31T00:00:00+08:00'))] },
          { events: [future(Date.now() + 10 * 60_000)] },
        ],
      }),
      onCarrier('IngestEvents', {
        requests: toWire(endingNow(fraud.events), 100).map((events) => ({ events: events.map(snakeCase) })),
      }),
    ]);
    expect(outlier.code).toBe('OK');
    expect(outlier.response).toMatchObject({ rejected: '2' });
    expect(outlier.response?.rejections).toEqual([
      { field: 'at_ms', reason: expect.stringMatching(/^future: /) },
      { batch: 1, field: 'at_ms', reason: expect.stringMatching(/^future: /) },
    ]);
    expect(current.code).toBe('OK');
    expect(current.response).not.toHaveProperty('late');
    expect(current.response).not.toHaveProperty('rejected');
    expect(Number(current.response?.decisions)).toBeGreaterThan(0);
    expect(linked.carrier.app.get(AnalysisService).state.levelOf(subject, Date.now())).toBe('RESTRICT');
  });

  it('refuses an empty batch with INVALID_ARGUMENT naming events, and answers an empty stream', async () => {
    const [empty, none] = await probe([
      onCarrier('IngestEvents', { requests: [{ events: [] }] }),
      onCarrier('IngestEvents', { requests: [] }),
    ]);
    expect(empty).toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: expect.stringContaining('events: a message needs 1 to 1000 events'),
    });
    expect(none).toMatchObject({ code: 'OK', response: {} });
  });

  it(
    'answers CONFIRMED_FRAUD to Reactivate, DeclareProfile and an upheld appeal of a number the police confirmed; ' +
      'explain shows the registry beside the step',
    async () => {
      // The restriction flagged the number to the registry; the police confirm it there.
      await eventually(
        () => linked.registry.client('police').checkNumbers({ msisdns: [subject] }),
        (answer) => answer.results[0]?.status === ('NUMBER_STATUS_SUSPECTED' as never),
      );
      const [verified] = await probe([
        {
          target: linked.registry.address,
          method: 'fraud.registry.v1.RegistryService/VerifyNumber',
          request: {
            idempotency_key: 'confirm-wangiri',
            msisdn: subject,
            outcome: 'VERIFICATION_OUTCOME_CONFIRMED',
            case_id: 'CD-2024-0300',
            note: 'victims called back premium lines',
          },
          metadata: bearer(linked.registry.token('police', 'officer-0427')),
        },
      ]);
      expect(verified).toMatchObject({ code: 'OK', response: { status: 'NUMBER_STATUS_CONFIRMED' } });
      await eventually(
        async () => linked.carrier.app.get(AnalysisService).state.isConfirmedFraud(subject as Msisdn),
        (known) => known,
      );

      const reactivate = onCarrier('Reactivate', {
        request: {
          idempotency_key: 'shop-12-0300',
          msisdn: subject,
          verification_reference: 'ticket 0300',
          national_id: NATIONAL_ID,
          id_verified: true,
        },
      });
      const [reactivated, retried, declared, appealed, explained, checked] = await probe([
        reactivate,
        reactivate,
        onCarrier('DeclareProfile', {
          request: {
            idempotency_key: 'sf-0300',
            msisdn: subject,
            profile: 'USAGE_PROFILE_COURIER',
            attested_by: 'SF Express Chengdu depot',
            attestation_reference: 'SF-0300',
          },
        }),
        onCarrier('ResolveAppeal', {
          request: { idempotency_key: 'appeal-0300', msisdn: subject, upheld: true, reference: 'appeal 0300' },
        }),
        onCarrier('ExplainNumber', { request: { msisdn: subject, purpose: 'customer call 0300' } }),
        onCarrier('CheckCall', { request: { caller: subject, callee: '13800000001' } }),
      ]);
      expect(reactivated).toMatchObject({
        code: 'OK',
        response: { msisdn: subject, outcome: 'REACTIVATION_OUTCOME_CONFIRMED_FRAUD', state: 'ACTION_SUSPEND' },
      });
      expect(reactivated.response).not.toHaveProperty('replayed');
      expect(retried).toMatchObject({
        code: 'OK',
        response: { outcome: 'REACTIVATION_OUTCOME_CONFIRMED_FRAUD', state: 'ACTION_SUSPEND', replayed: true },
      });
      expect(declared).toMatchObject({
        code: 'OK',
        response: { outcome: 'DECLARATION_OUTCOME_CONFIRMED_FRAUD', profile: 'USAGE_PROFILE_NONE' },
      });
      expect(appealed).toMatchObject({
        code: 'OK',
        response: { outcome: 'APPEAL_OUTCOME_CONFIRMED_FRAUD', state: 'ACTION_SUSPEND' },
      });
      expect(explained).toMatchObject({
        code: 'OK',
        response: {
          state: 'ACTION_SUSPEND',
          registry_status: 'NUMBER_STATUS_CONFIRMED',
          declared_profile: 'USAGE_PROFILE_NONE',
        },
      });
      expect(explained.response?.next_steps_en).toMatch(
        /^Calls from this number are blocked: the police confirmed fraud on it/,
      );
      expect(explained.response?.next_steps_en).not.toMatch(/normal/);
      expect(checked).toMatchObject({
        code: 'OK',
        response: { verdict: 'CALL_VERDICT_BLOCK', reasons: ['SUSPENDED', 'REGISTRY_CONFIRMED'] },
      });
    },
  );

  it('shows NOT_LISTED beside the step of a number the registry never listed', async () => {
    const [explained] = await probe([
      onCarrier('ExplainNumber', { request: { msisdn: '13800000001', purpose: 'customer call 0301' } }),
    ]);
    expect(explained).toMatchObject({
      code: 'OK',
      response: { state: 'ACTION_NONE', registry_status: 'NUMBER_STATUS_NOT_LISTED' },
    });
  });
});

/**
 * A wire event (camelCase, as grpc-js takes it) in proto3 JSON with the proto's field names,
 * as the Python client parses it.
 */
function snakeCase(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeCase);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, field]) => field !== '' && field !== undefined)
      .map(([key, field]) => [
        key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`),
        typeof field === 'number' && key.endsWith('Ms') ? String(field) : snakeCase(field),
      ]),
  );
}
