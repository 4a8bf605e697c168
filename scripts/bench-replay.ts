import './register-aliases'; // must stay first: the modules below are compiled with @app/* specifiers
import { createWriteStream, mkdirSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { BUILT_IN_POLICIES, eventLine, fixtures } from '@app/domain';
import { runReplay } from './replay-cli';

/**
 * Replay's speed on this machine: writes a synthetic event file (a population of
 * BENCH_SUBSCRIBERS subscribers over BENCH_DAYS days), then replays it under
 * each built-in policy and prints events per second.
 */
async function main(): Promise<void> {
  const subscribers = Number(process.env.BENCH_SUBSCRIBERS ?? 100_000);
  const days = Number(process.env.BENCH_DAYS ?? 2);
  const dir = path.resolve(process.env.DATA_DIR ?? '.data', 'bench');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `events-${subscribers}x${days}.jsonl`);
  const pop = fixtures.population({ subscribers, days, heavyPerMille: 5, fraudPerMille: 2, seed: 1 });
  const out = createWriteStream(file);
  for (let i = 0; i < pop.events.length; i += 10_000)
    out.write(
      `${pop.events
        .slice(i, i + 10_000)
        .map(eventLine)
        .join('\n')}\n`,
    );
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  console.log(
    `${pop.events.length} events in ${file} (${subscribers} subscribers, ${days} days); ` +
      `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`,
  );
  for (const name of ['default', 'naive']) {
    const stats = await runReplay({ file, policy: BUILT_IN_POLICIES[name] }, () => undefined);
    console.log(
      `replay --policy ${name}: ${Math.round(stats.events / stats.seconds).toLocaleString('en')} events/s ` +
        `(${stats.events} events, ${stats.seconds.toFixed(2)} s, ${stats.decisions} decisions)`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(`bench:replay: ${(error as Error).message}`);
  process.exitCode = 1;
});
