import '../register-aliases'; // must stay first: the modules below are compiled with @app/* specifiers
import { AnalysisEngine, CarrierShard, DEFAULT_POLICY, EventGate } from '@app/domain';
import { JetStreamLog, LogExchange } from '@app/eventlog';
import { ShardRunner } from '../../apps/carrier/src/shard/shard-runner';

/**
 * One shard of bench:scale's shard figures, in a process of its own (forked by scripts/bench/shards.ts): a carrier
 * shard run by ShardRunner on the log and exchange streams named in its environment, its outcomes counted, not
 * stored. Tells its parent over IPC when it is ready and, after each entry, how far it is and how many decisions
 * it took.
 */
async function main(): Promise<void> {
  const env = process.env;
  const index = Number(env.SHARD);
  const count = Number(env.SHARDS);
  const servers = env.NATS_URL ?? 'nats://127.0.0.1:4222';
  const engine = new AnalysisEngine({ policy: DEFAULT_POLICY, carrier: 'CTCC' });
  // The carrier's defaults (EVENT_LATENESS_SEC 300, EVENT_MAX_AHEAD_SEC 120).
  const shard = new CarrierShard(engine, { index, count }, new EventGate({ latenessMs: 300_000, maxAheadMs: 120_000 }));
  const common = { servers, maxAgeMs: 3_600_000, connectionName: `bench-shard-${index}` };
  const log = await JetStreamLog.open({
    ...common,
    stream: env.LOG_STREAM as string,
    subjectPrefix: env.LOG_PREFIX as string,
    partitions: 1,
  });
  const exchangeLog = await JetStreamLog.open({
    ...common,
    stream: env.EXCHANGE_STREAM as string,
    subjectPrefix: env.EXCHANGE_PREFIX as string,
    partitions: count,
  });
  let decisions = 0;
  const send = (message: object) => process.send?.(message);
  const runner = new ShardRunner(
    {
      shard,
      log,
      exchange: new LogExchange(exchangeLog, index, `bench-shard-${index}`),
      sink: {
        write: async (outcome) => {
          for (const round of outcome.rounds) for (const result of round.results) decisions += result.decisions.length;
          send({ seq: outcome.seq, decisions });
        },
      },
      consumerName: `bench-shard-${index}`,
      exchangeTimeoutMs: 120_000,
    },
    { seq: 0, exchange: [] },
  );
  await runner.start();
  send({ ready: true });
  process.on('disconnect', () => {
    void runner
      .stop()
      .then(() => Promise.all([log.close(), exchangeLog.close()]))
      .finally(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
