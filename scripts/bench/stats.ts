/** Latency and rate arithmetic of `npm run bench`: pure, unit-tested in bench.spec.ts. */

/**
 * The p-th percentile (0..100) of ascending `sorted` values, interpolating
 * linearly between the closest ranks (p50 of an even count is the mean of the
 * two middle values); NaN for no values.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  if (p <= 0) return sorted[0];
  if (p >= 100) return sorted[sorted.length - 1];
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
}

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  mean: number;
  max: number;
}

/** p50, p99, mean and max of unsorted samples (any unit: the summary keeps it). */
export function summarise(samples: readonly number[]): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  const values = Array.from(sorted);
  let sum = 0;
  for (const v of values) sum += v;
  return {
    count: values.length,
    p50: percentile(values, 50),
    p99: percentile(values, 99),
    mean: values.length === 0 ? Number.NaN : sum / values.length,
    max: values.length === 0 ? Number.NaN : values[values.length - 1],
  };
}

/** Items per second over `ms` milliseconds. */
export function perSecond(items: number, ms: number): number {
  return ms > 0 ? (items * 1000) / ms : Number.NaN;
}
