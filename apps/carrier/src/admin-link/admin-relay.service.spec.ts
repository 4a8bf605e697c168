import { Metadata, status } from '@grpc/grpc-js';
import { Logger } from '@nestjs/common';
import type { admin } from '@app/contracts';
import { Action } from '@app/domain';
import { carrierConfig } from '../config/carrier.config';
import type { OutboxRepository, PendingMessage, RelayTransaction } from '../outbox/outbox.repository';
import type { AdminConnection } from './admin-connection';
import { AdminRelay } from './admin-relay.service';

const count = (id: number, reason: string): PendingMessage => ({
  id: String(id),
  idempotencyKey: `CMCC-count-2024-03-01-default@1-WARN-${reason}-3`,
  payload: { kind: 'daily_count', day: '2024-03-01', policy: 'default@1', action: Action.Warn, reason, count: 3 },
});

describe(AdminRelay.name, () => {
  it('sends the ADMIN queue to SubmitCarrierFeed and sets aside the one item the administration names', async () => {
    const rows = [count(1, 'CALL_BURST'), count(2, 'lower_case'), count(3, 'SMS_BURST')];
    const done = { delivered: [] as string[], failed: [] as string[] };
    const queue: RelayTransaction = {
      pending: async () => rows.filter((r) => !done.delivered.includes(r.id) && !done.failed.includes(r.id)),
      delivered: async (ids) => void done.delivered.push(...ids),
      failed: async (id) => void done.failed.push(id),
      attempted: async () => undefined,
    };
    const destinations: string[] = [];
    const repository = {
      asRelay: async (destination: string, work: (q: RelayTransaction) => Promise<unknown>) => (
        destinations.push(destination),
        work(queue)
      ),
    } as unknown as OutboxRepository;
    const sent: admin.FeedItem[][] = [];
    const connection = {
      enabled: true,
      submitCarrierFeed: async (items: admin.FeedItem[]) => {
        sent.push(items);
        const bad = items.findIndex((i) => i.dailyCount?.reason === 'lower_case');
        if (bad >= 0)
          throw Object.assign(new Error('refused'), {
            code: status.INVALID_ARGUMENT,
            details: `items[${bad}].daily_count.reason: "lower_case" is not a reason code`,
            metadata: new Metadata(),
          });
        return { accepted: items.length, replayed: 0 };
      },
    } as unknown as AdminConnection;
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);

    await new AdminRelay(
      repository,
      connection,
      carrierConfig({ CARRIER_ID: 'CMCC', ADMIN_ADDRESS: 'admin:50052' }),
    ).relayOnce();
    expect(destinations).toEqual(['ADMIN']);
    expect(sent.map((items) => items.map((i) => i.dailyCount?.reason))).toEqual([
      ['CALL_BURST', 'lower_case', 'SMS_BURST'],
      ['CALL_BURST', 'SMS_BURST'],
    ]);
    expect(sent[1][0]).toEqual({
      idempotencyKey: rows[0].idempotencyKey,
      dailyCount: { day: '2024-03-01', policy: 'default@1', action: 'ACTION_WARN', reason: 'CALL_BURST', count: 3 },
    });
    expect(done).toEqual({ delivered: ['1', '3'], failed: ['2'] });
    jest.restoreAllMocks();
  });
});
