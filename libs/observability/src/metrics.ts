import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type Metric } from 'prom-client';
import { ASYNC_CONTEXTS } from './request-context';

/**
 * Latency buckets in seconds, from a quarter of a millisecond (an in-memory
 * CheckCall) to ten seconds (a batch waiting on the database).
 */
export const LATENCY_BUCKETS: readonly number[] = [
  0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** Lag between services, in seconds: from a fraction of a second to a day. */
export const LAG_BUCKETS: readonly number[] = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 21600, 86400];

interface MetricConfig<L extends string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
}

/** A metric declared in a table: its name, its label names and its help text. */
export type MetricRow = readonly [name: string, labelNames: readonly string[], help: string];

/** A gauge declared in a table: a MetricRow and, optionally, what sets it on every scrape. */
export type GaugeRow = readonly [
  name: string,
  labelNames: readonly string[],
  help: string,
  collect?: (this: Gauge<string>) => void | Promise<void>,
];

/** The label names of a row, as a union for the metric's type. */
type LabelsOf<R extends MetricRow | GaugeRow> = R[1][number];

/** A metric's config as prom-client takes it, from a row. */
function configOf<L extends string>([name, labelNames, help]: MetricRow): MetricConfig<L> {
  return { name, help, labelNames: labelNames as readonly L[] };
}

/**
 * A read that the collect() calls of one scrape share: they start together, so
 * the first starts it and the others await the same promise; the next scrape
 * reads again. A failed read goes to `failed` and gives undefined.
 */
export function scrapeRead<T>(read: () => Promise<T>, failed: (error: Error) => void): () => Promise<T | undefined> {
  let reading: Promise<T | undefined> | undefined;
  return () =>
    (reading ??= read()
      .catch((error: Error) => {
        failed(error);
        return undefined;
      })
      .finally(() => setImmediate(() => (reading = undefined))));
}

/**
 * One service's metrics: a prom-client registry whose every series carries
 * `service` (registry, admin, carrier-cmcc, …). Features register their own
 * metrics here; the process's default metrics (CPU, memory, event loop, GC)
 * are added to every exposition.
 */
export class Metrics {
  readonly registry = new Registry();

  constructor(readonly service: string) {
    this.registry.setDefaultLabels({ service });
  }

  counter<L extends string>(config: MetricConfig<L>): Counter<L> {
    return this.add(config.name, new Counter<L>({ ...config, labelNames: config.labelNames ?? [], registers: [] }));
  }

  /** `collect` runs on every scrape, to read a value where it lives (a queue's length, an index's size). */
  gauge<L extends string>(config: MetricConfig<L> & { collect?: (this: Gauge<L>) => void | Promise<void> }): Gauge<L> {
    return this.add(config.name, new Gauge<L>({ ...config, labelNames: config.labelNames ?? [], registers: [] }));
  }

  histogram<L extends string>(config: MetricConfig<L> & { buckets: readonly number[] }): Histogram<L> {
    return this.add(
      config.name,
      new Histogram<L>({ ...config, buckets: [...config.buckets], labelNames: config.labelNames ?? [], registers: [] }),
    );
  }

  /** Counters declared by a table of rows, registered in its order and returned under its keys. */
  counters<T extends Record<string, MetricRow>>(table: T): { [K in keyof T]: Counter<LabelsOf<T[K]>> } {
    return mapRows(table, (row) => this.counter(configOf(row))) as { [K in keyof T]: Counter<LabelsOf<T[K]>> };
  }

  /** Gauges declared by a table of rows (each with its collect, if any), returned under its keys. */
  gauges<T extends Record<string, GaugeRow>>(table: T): { [K in keyof T]: Gauge<LabelsOf<T[K]>> } {
    return mapRows(table, ([name, labelNames, help, collect]) =>
      this.gauge({ ...configOf([name, labelNames, help]), ...(collect && { collect }) }),
    ) as { [K in keyof T]: Gauge<LabelsOf<T[K]>> };
  }

  /** Histograms with the same buckets, declared by a table of rows, returned under its keys. */
  histograms<T extends Record<string, MetricRow>>(
    table: T,
    buckets: readonly number[],
  ): { [K in keyof T]: Histogram<LabelsOf<T[K]>> } {
    return mapRows(table, (row) => this.histogram({ ...configOf(row), buckets })) as {
      [K in keyof T]: Histogram<LabelsOf<T[K]>>;
    };
  }

  /**
   * Adds a metric, prom-client's or of our own making (a PreboundHistogram). One
   * registered under the same name before is replaced: an app restarted in the
   * same process (tests) registers its features' metrics again.
   */
  register(metric: { name: string }): void {
    this.add(metric.name, metric);
  }

  private add<M extends object>(name: string, metric: M): M {
    this.registry.removeSingleMetric(name);
    this.registry.registerMetric(metric as unknown as Metric);
    return metric;
  }

  /** The text exposition: this service's metrics, then the process's. */
  async exposition(): Promise<string> {
    const [own, process] = await Promise.all([this.registry.metrics(), processRegistry(this.service).metrics()]);
    return `${own}\n${process}`;
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/** Each row of a table made into its metric, under the same key. */
function mapRows<R, M>(table: Record<string, R>, make: (row: R) => M): Record<string, M> {
  return Object.fromEntries(Object.entries(table).map(([key, row]) => [key, make(row)]));
}

let processMetrics: Registry | undefined;

/**
 * collectDefaultMetrics once per process (its event-loop monitor and GC
 * observer are process-wide), labelled with the first service that asks.
 */
function processRegistry(service: string): Registry {
  if (!processMetrics) {
    processMetrics = new Registry();
    processMetrics.setDefaultLabels({ service });
    collectDefaultMetrics({ register: processMetrics });
    new Gauge({
      name: 'nodejs_async_context_enabled',
      help: 'Whether an AsyncLocalStorage of the process is enabled (1), which costs every async operation a hook.',
      labelNames: ['storage'],
      registers: [processMetrics],
      collect(this: Gauge<'storage'>) {
        for (const [storage, enabled] of ASYNC_CONTEXTS) this.set({ storage }, enabled() ? 1 : 0);
      },
    });
  }
  return processMetrics;
}

/** The running count of one label set of a PreboundCounter. */
export class CounterCell {
  value = 0;

  inc(by = 1): void {
    this.value += by;
  }
}

/** The buckets, sum and count of one label set of a PreboundHistogram. */
export class HistogramCell {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
  }
}

type Labels = Readonly<Record<string, string>>;

/**
 * A counter for hot paths: each label set is bound once to a cell, and
 * counting is one addition on it (prom-client hashes the labels on every
 * increment). Read by the registry on scrape.
 */
export class PreboundCounter {
  private readonly cells = new Map<string, { labels: Labels; cell: CounterCell }>();

  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  bind(labels: Labels): CounterCell {
    const key = labelKey(labels);
    let entry = this.cells.get(key);
    if (!entry) {
      entry = { labels: { ...labels }, cell: new CounterCell() };
      this.cells.set(key, entry);
    }
    return entry.cell;
  }

  get(): unknown {
    const values = [...this.cells.values()].map(({ labels, cell }) => ({ labels, value: cell.value }));
    return { name: this.name, help: this.help, type: 'counter', aggregator: 'sum', values };
  }

  reset(): void {
    for (const { cell } of this.cells.values()) cell.value = 0;
  }
}

/** A histogram for hot paths, bound per label set as PreboundCounter. */
export class PreboundHistogram {
  private readonly cells = new Map<string, { labels: Labels; cell: HistogramCell }>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: readonly number[],
  ) {}

  bind(labels: Labels): HistogramCell {
    const key = labelKey(labels);
    let entry = this.cells.get(key);
    if (!entry) {
      entry = { labels: { ...labels }, cell: new HistogramCell(this.buckets) };
      this.cells.set(key, entry);
    }
    return entry.cell;
  }

  get(): unknown {
    const values: { labels: Record<string, string | number>; value: number; metricName: string }[] = [];
    for (const { labels, cell } of this.cells.values()) {
      let cumulative = 0;
      this.buckets.forEach((bound, i) => {
        cumulative += cell.counts[i]!;
        values.push({ labels: { ...labels, le: bound }, value: cumulative, metricName: `${this.name}_bucket` });
      });
      values.push({ labels: { ...labels, le: '+Inf' }, value: cell.count, metricName: `${this.name}_bucket` });
      values.push({ labels, value: cell.sum, metricName: `${this.name}_sum` });
      values.push({ labels, value: cell.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: 'histogram', aggregator: 'sum', values };
  }

  reset(): void {
    for (const { cell } of this.cells.values()) {
      cell.counts.fill(0);
      cell.sum = 0;
      cell.count = 0;
    }
  }
}

function labelKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}\u0000${labels[k]}`)
    .join('\u0001');
}
