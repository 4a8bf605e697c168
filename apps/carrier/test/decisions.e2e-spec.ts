import { DEFAULT_POLICY } from '@app/domain';
import { status } from '@grpc/grpc-js';
import type { carrier } from '@app/contracts';
import { REASONS, type CarrierEvent, type ReasonCode } from '@app/domain';
import { newNumberBurst, wangiri } from '../../../libs/domain/src/carrier/fixtures';
import { CarrierHarness, ingest, toWire, type CarrierClient } from './carrier-harness';

const ingestible = (events: CarrierEvent[]) => events.filter((e) => e.type !== 'high_risk_cell');
const grpcError = (code: status, details: string) => ({ code, details: expect.stringContaining(details) });
const ms = (t: { seconds: number; nanos: number } | undefined) =>
  Number(t?.seconds) * 1000 + Math.floor(Number(t?.nanos) / 1e6);
const token = (position: unknown) => Buffer.from(JSON.stringify(position)).toString('base64url');

describe('ListDecisions and ListNotices (carrier over gRPC)', () => {
  let carrier: CarrierHarness;
  let client: CarrierClient;
  const burst = newNumberBurst();
  const oneRing = wangiri();

  beforeAll(async () => {
    carrier = await CarrierHarness.start('CTCC');
    client = carrier.client();
    // In event-time order: the one-ring calls came the evening before the burst.
    await ingest(client, toWire(ingestible(oneRing.events), 200, 'wangiri'));
    await ingest(client, toWire(ingestible(burst.events), 200, 'burst'));
  });
  afterAll(() => carrier.close());

  const list = (request: Partial<carrier.ListDecisionsRequest>) => client.listDecisions(request);
  const notices = (request: Partial<carrier.ListNoticesRequest>) => client.listNotices(request);

  it('lists every number’s decisions newest first, with reasons in plain language and the evidence', async () => {
    const { decisions, nextPageToken } = await list({});
    expect(nextPageToken).toBe('');
    expect(new Set(decisions.map((d) => d.msisdn))).toEqual(new Set([burst.subject, oneRing.subject]));
    const times = decisions.map((d) => ms(d.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));

    const restrict = decisions.find((d) => d.msisdn === burst.subject && d.action === 'ACTION_RESTRICT')!;
    expect(restrict).toMatchObject({
      previous: 'ACTION_WARN',
      policy: 'default@5',
      shadow: false,
      id: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    for (const reason of restrict.reasons) {
      const text = REASONS[reason.code as ReasonCode];
      expect(reason).toEqual({
        code: reason.code,
        textZh: text.zh,
        textEn: text.en,
        adviceZh: text.adviceZh,
        adviceEn: text.adviceEn,
      });
    }
    expect(restrict.reasons.map((r) => r.code)).toContain('LOW_ANSWER_RATE');
    expect(restrict.evidence?.measures).toContainEqual({
      name: 'answer_rate_24h',
      value: expect.any(Number),
      threshold: DEFAULT_POLICY.thresholds.lowAnswerRate.max,
    });
    expect(ms(restrict.evidence?.windowEnd)).toBe(ms(restrict.at));
    expect(ms(restrict.evidence?.windowStart)).toBeLessThan(ms(restrict.at));
  });

  it('filters by number (national form accepted) and by time', async () => {
    const all = (await list({})).decisions;
    const national = burst.subject.slice(3);
    const own = await list({ msisdn: national });
    expect(own.decisions).toEqual(all.filter((d) => d.msisdn === burst.subject));
    const warn = own.decisions.find((d) => d.action === 'ACTION_WARN')!;
    const since = await list({ msisdn: burst.subject, since: warn.at });
    expect(since.decisions.map((d) => d.action)).toEqual(['ACTION_RESTRICT', 'ACTION_WARN']);
    expect((await list({ msisdn: '+8613900000000' })).decisions).toEqual([]);
  });

  it('pages newest first with an opaque token, none lost or repeated', async () => {
    const all = (await list({ page: { pageSize: 500, pageToken: '' } })).decisions;
    const seen: carrier.Decision[] = [];
    let pageToken = '';
    do {
      const page = await list({ page: { pageSize: 2, pageToken } });
      expect(page.decisions.length).toBeLessThanOrEqual(2);
      seen.push(...page.decisions);
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(seen).toEqual(all);
    expect(all.length).toBeGreaterThan(3);
  });

  it.each([
    ['a bad number', { msisdn: '１９１００００００００' }, 'msisdn: "１９１００００００００" is not a phone number'],
    ['a garbage page token', { page: { pageSize: 10, pageToken: 'garbage' } }, 'page.page_token'],
    [
      'a token of another shape',
      { page: { pageSize: 10, pageToken: token({ t: '2024-01-01T00:00:00Z', i: 'DROP TABLE' }) } },
      'page.page_token',
    ],
    [
      'a token with a bad time',
      { page: { pageSize: 10, pageToken: token({ t: 'yesterday', i: '0'.repeat(32) }) } },
      'page.page_token',
    ],
    ['a negative page size', { page: { pageSize: -1, pageToken: '' } }, 'page.page_size'],
    ['a bad since', { since: { seconds: 0, nanos: -5 } }, 'since: is not a valid timestamp'],
  ])('refuses %s with INVALID_ARGUMENT naming the field', async (_what, request, details) => {
    await expect(list(request as never)).rejects.toMatchObject(grpcError(status.INVALID_ARGUMENT, details));
  });

  it('lists a number’s notices newest first, each tied to its decision, and sends them', async () => {
    const own = (await list({ msisdn: burst.subject })).decisions;
    const first = await notices({ msisdn: burst.subject });
    expect(first.notices.map((n) => n.decisionId)).toEqual(
      own.filter((d) => ['ACTION_WARN', 'ACTION_RESTRICT'].includes(d.action)).map((d) => d.id),
    );
    expect(first.notices[0]).toMatchObject({ msisdn: burst.subject, text: expect.stringContaining('被限制呼出') });
    expect(first.notices[1].text).toContain('【风险提示】');
    expect(ms(first.notices[0].at)).toBe(ms(own[0].at));

    // The notice sender runs in the service (default gateway: a log line) and marks them sent.
    const deadline = Date.now() + 10_000;
    let latest = first;
    while (!latest.notices.every((n) => n.sent) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      latest = await notices({ msisdn: burst.subject });
    }
    expect(latest.notices.map((n) => n.sent)).toEqual([true, true]);
  });

  it('pages notices, and refuses a missing or bad number and a bad token', async () => {
    const page1 = await notices({ msisdn: oneRing.subject, page: { pageSize: 1, pageToken: '' } });
    const page2 = await notices({ msisdn: oneRing.subject, page: { pageSize: 1, pageToken: page1.nextPageToken } });
    expect(page1.notices).toHaveLength(1);
    expect(page2).toMatchObject({
      notices: [expect.objectContaining({ text: expect.stringContaining('【风险提示】') })],
      nextPageToken: '',
    });
    expect(ms(page2.notices[0].at)).toBeLessThan(ms(page1.notices[0].at));
    await expect(notices({})).rejects.toMatchObject(
      grpcError(status.INVALID_ARGUMENT, 'msisdn: a phone number is required'),
    );
    await expect(notices({ msisdn: '110' })).rejects.toMatchObject(grpcError(status.INVALID_ARGUMENT, 'msisdn'));
    await expect(
      notices({
        msisdn: oneRing.subject,
        page: { pageSize: 1, pageToken: token({ t: '2024-01-01T00:00:00Z', i: 'abc' }) },
      }),
    ).rejects.toMatchObject(grpcError(status.INVALID_ARGUMENT, 'page.page_token'));
  });
});
