import { Logger } from '@nestjs/common';
import { Metadata, status } from '@grpc/grpc-js';
import type { registry } from '@app/contracts';
import { carrierConfig } from '../config/carrier.config';
import type { RegistryConnection } from '../registry-link/registry-connection';
import { OutboxRelay, SUBMIT_DEADLINE_MS } from './outbox-relay';
import type { OutboxRepository, PendingMessage, RelayTransaction } from './outbox.repository';
import { RegistryRelay } from './registry-relay.service';

const config = carrierConfig({
  CARRIER_ID: 'CTCC',
  REGISTRY_ADDRESS: 'registry:50051',
  OUTBOX_BATCH: '3',
  OUTBOX_INTERVAL_MS: '200',
  REGISTRY_RETRY_MAX_MS: '1000',
});

const message = (id: number, msisdn = `+86171000000${String(id).padStart(2, '0')}`): PendingMessage => ({
  id: String(id),
  idempotencyKey: `CTCC-${id}`,
  payload: {
    msisdn,
    source: 'carrier:CTCC',
    reasonCodes: ['CALL_BURST'],
    score: 0.8,
    evidence: {
      summary: 'calls_90m 26 (threshold 20)',
      windowStart: 1_707_217_200_000,
      windowEnd: 1_707_222_600_000,
      measures: [],
      cells: [],
    },
    observedAt: 1_707_222_600_000,
  },
});

/** The outbox table in memory: what the relay marked, and how. */
class FakeQueue implements RelayTransaction {
  readonly deliveredIds: string[] = [];
  readonly setAside: { id: string; error: string }[] = [];
  readonly attempts = new Map<string, number>();

  constructor(public rows: PendingMessage[]) {}

  async pending(limit: number): Promise<PendingMessage[]> {
    const done = new Set([...this.deliveredIds, ...this.setAside.map((f) => f.id)]);
    return this.rows.filter((r) => !done.has(r.id)).slice(0, limit);
  }
  async delivered(ids: string[]): Promise<void> {
    this.deliveredIds.push(...ids);
  }
  async failed(id: string, error: string): Promise<void> {
    this.setAside.push({ id, error });
  }
  async attempted(ids: string[]): Promise<void> {
    for (const id of ids) this.attempts.set(id, (this.attempts.get(id) ?? 0) + 1);
  }
}

const refusal = (code: status, details: string) =>
  Object.assign(new Error(details), { code, details, metadata: new Metadata() });

describe(OutboxRelay.name, () => {
  let queue: FakeQueue;
  let locked: boolean;
  let answers: (Error | undefined)[];
  let sent: registry.Flag[][];
  let relay: OutboxRelay<registry.Flag>;
  let destinations: string[];

  beforeEach(() => {
    queue = new FakeQueue([]);
    locked = true;
    answers = [];
    sent = [];
    destinations = [];
    const repository = {
      asRelay: async (destination: string, work: (q: RelayTransaction) => Promise<unknown>) => {
        destinations.push(destination);
        return locked ? work(queue) : undefined;
      },
    } as unknown as OutboxRepository;
    const connection = {
      enabled: true,
      submitFlags: async (flags: registry.Flag[], deadlineMs: number) => {
        expect(deadlineMs).toBe(SUBMIT_DEADLINE_MS);
        sent.push(flags);
        const answer = answers.shift();
        if (answer) throw answer;
        return { results: [] };
      },
    } as unknown as RegistryConnection;
    // The registry's relay, as the carrier runs it: the generic relay with the registry as target.
    relay = new RegistryRelay(repository, connection, config);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('sends the oldest OUTBOX_BATCH messages as flags, marks them delivered, goes on while more wait', async () => {
    queue.rows = [1, 2, 3, 4].map((id) => message(id));
    expect(await relay.relayOnce()).toBe(0);
    expect(sent[0].map((f) => [f.idempotencyKey, f.source])).toEqual([
      ['CTCC-1', 'carrier:CTCC'],
      ['CTCC-2', 'carrier:CTCC'],
      ['CTCC-3', 'carrier:CTCC'],
    ]);
    expect(queue.deliveredIds).toEqual(['1', '2', '3']);
    // The last one: not a full batch, so the next round waits for the poll interval.
    expect(await relay.relayOnce()).toBe(200);
    expect(queue.deliveredIds).toEqual(['1', '2', '3', '4']);
    expect(await relay.relayOnce()).toBe(200);
    expect(sent).toHaveLength(2);
    // Only the REGISTRY queue: the ADMIN queue has a relay of its own.
    expect(new Set(destinations)).toEqual(new Set(['REGISTRY']));
  });

  it('sets aside the one item the peer refuses for good and delivers the rest in the same round', async () => {
    queue.rows = [message(1), message(2, '+86999'), message(3)];
    answers = [refusal(status.INVALID_ARGUMENT, 'flags[1].msisdn: "+86999" is not a phone number')];
    await relay.relayOnce();
    expect(sent.map((batch) => batch.map((f) => f.idempotencyKey))).toEqual([
      ['CTCC-1', 'CTCC-2', 'CTCC-3'],
      ['CTCC-1', 'CTCC-3'],
    ]);
    expect(queue.setAside).toEqual([
      { id: '2', error: 'INVALID_ARGUMENT: flags[1].msisdn: "+86999" is not a phone number' },
    ]);
    expect(queue.deliveredIds).toEqual(['1', '3']);
  });

  it('sets aside a message whose stored payload cannot be read, without sending it', async () => {
    queue.rows = [message(1), { id: '2', idempotencyKey: 'CTCC-2', payload: { msisdn: '+8617100000002' } }];
    await relay.relayOnce();
    expect(queue.setAside).toEqual([{ id: '2', error: expect.stringMatching(/^unreadable payload: /) }]);
    expect(sent.map((batch) => batch.map((f) => f.idempotencyKey))).toEqual([['CTCC-1']]);
    expect(queue.deliveredIds).toEqual(['1']);
  });

  it('keeps every message while the registry is away, backs off up to REGISTRY_RETRY_MAX_MS, then drains', async () => {
    queue.rows = [message(1), message(2)];
    const unavailable = () =>
      refusal(status.UNAVAILABLE, 'No connection established. Last error: connect ECONNREFUSED');
    answers = Array.from({ length: 6 }, unavailable);
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) delays.push(await relay.relayOnce());
    expect(queue.deliveredIds).toEqual([]);
    expect(queue.setAside).toEqual([]);
    expect(queue.attempts).toEqual(
      new Map([
        ['1', 6],
        ['2', 6],
      ]),
    );
    // Jittered down by at most half of a ceiling that doubles from the interval up to the cap.
    [200, 400, 800, 1000, 1000, 1000].forEach((ceiling, i) => {
      expect(delays[i]).toBeGreaterThanOrEqual(ceiling / 2);
      expect(delays[i]).toBeLessThanOrEqual(ceiling);
    });
    // Logged once for the outage, not once per retry.
    expect(Logger.prototype.warn).toHaveBeenCalledTimes(1);

    expect(await relay.relayOnce()).toBe(200);
    expect(queue.deliveredIds).toEqual(['1', '2']);
    expect(Logger.prototype.log).toHaveBeenCalledWith(expect.stringContaining('registry reachable again'));
  });

  it('keeps the batch, loudly, when the registry refuses it as a whole (a token or role problem)', async () => {
    queue.rows = [message(1)];
    answers = [refusal(status.UNAUTHENTICATED, 'token expired')];
    expect(await relay.relayOnce()).toBeGreaterThanOrEqual(100);
    expect(queue.attempts.get('1')).toBe(1);
    expect(queue.setAside).toEqual([]);
    expect(Logger.prototype.error).toHaveBeenCalledWith(expect.stringContaining('UNAUTHENTICATED: token expired'));
  });

  it('leaves the queue to the replica whose relay holds it', async () => {
    queue.rows = [message(1)];
    locked = false;
    expect(await relay.relayOnce()).toBe(200);
    expect(sent).toEqual([]);
  });
});
