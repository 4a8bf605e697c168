import type { Env } from '@app/config';

/** Sizes and rates of one run; every one is a BENCH_* variable (docs/benchmarks.md, "Speed benchmark"). */
export interface BenchSettings {
  /** Figures to measure, e.g. `a,b` (default all of a-e). */
  only: Set<string>;
  /** (a)/(b): bench:replay's population. */
  subscribers: number;
  days: number;
  /**
   * (c): numbers listed in the registry;
   * calls of CHECK_BATCH numbers from `checkClients` h2load clients × `checkStreams`.
   */
  listed: number;
  checkClients: number;
  checkStreams: number;
  checkSeconds: number;
  /** (d): fixed rates (calls/s), seconds per rate, requests one in flight. */
  callRates: number[];
  callSeconds: number;
  callSequential: number;
  /** (e): numbers cleared one by one. */
  restoreNumbers: number;
  /** Extra node options for the (b) carrier, e.g. `--cpu-prof --cpu-prof-dir=.data/bench/prof`. */
  carrierNodeArgs: string;
  /** The same for the (c) registry. */
  registryNodeArgs: string;
}

function int(env: Env, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min)
    throw new Error(`${name} must be a whole number of at least ${min}, got ${raw}`);
  return value;
}

export function benchSettings(env: Env): BenchSettings {
  const only = (env.BENCH_ONLY ?? 'a,b,c,d,e')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const unknown = only.filter((f) => !['a', 'b', 'c', 'd', 'e'].includes(f));
  if (unknown.length > 0) throw new Error(`BENCH_ONLY takes figures a,b,c,d,e; got ${unknown.join(',')}`);
  const rates = (env.BENCH_CALL_RATES ?? '1000,5000')
    .split(',')
    .filter((s) => s.trim() !== '')
    .map(Number);
  if (rates.some((r) => !Number.isInteger(r) || r < 1))
    throw new Error(`BENCH_CALL_RATES must list whole numbers of calls per second, got ${env.BENCH_CALL_RATES}`);
  return {
    only: new Set(only),
    subscribers: int(env, 'BENCH_SUBSCRIBERS', 100_000, 10),
    days: int(env, 'BENCH_DAYS', 2, 1),
    listed: int(env, 'BENCH_LISTED', 1_000_000, 1),
    checkClients: int(env, 'BENCH_CHECK_CLIENTS', 4, 1),
    checkStreams: int(env, 'BENCH_CHECK_STREAMS', 2, 1),
    checkSeconds: int(env, 'BENCH_CHECK_SECONDS', 10, 1),
    callRates: rates,
    callSeconds: int(env, 'BENCH_CALL_SECONDS', 5, 1),
    callSequential: int(env, 'BENCH_CALL_SEQUENTIAL', 2000, 10),
    restoreNumbers: int(env, 'BENCH_RESTORE_NUMBERS', 100, 1),
    carrierNodeArgs: env.BENCH_CARRIER_NODE_ARGS ?? '',
    registryNodeArgs: env.BENCH_REGISTRY_NODE_ARGS ?? '',
  };
}
