import { createWriteStream, writeFileSync } from 'node:fs';
import type { carrier } from '@app/contracts';
import { eventLine, fixtures, type CarrierEvent } from '@app/domain';
import {
  clientCredentials,
  clientStreaming,
  createGrpcClient,
  loadSigningKey,
  signToken,
  type ClientStreamingCall,
} from '@app/grpc';
import { toWireEvent } from '../apps/carrier/src/ingest/event.mapper';

export const USAGE = [
  'usage: npm run --silent simulate -- [--subscribers N] [--days D] [--seed S] ' +
    '(--out FILE | --carriers [--address CARRIER=HOST:PORT ...])',
  '  --subscribers N   ordinary subscribers (default 100000), spread over CMCC, CUCC and CTCC',
  '  --days D          days of traffic (default 3)',
  '  --seed S          random seed (default 1); the same seed gives the same population',
  '  --out FILE        write the events (JSON Lines, DESIGN.md §3) to FILE and the ground truth to FILE.labels.json',
  '  --carriers        stream the events into running carrier services over gRPC (IngestEvents)',
  "  --address C=H:P   a carrier's address (repeatable); when given, only the carriers named are fed",
  '                    (default 127.0.0.1:50061 CMCC, 127.0.0.1:50062 CUCC, 127.0.0.1:50063 CTCC)',
].join('\n');

/** A bad command line: the message and the usage, exit code 2. */
export class UsageError extends Error {
  readonly exitCode = 2;
}

export type SimCarrier = 'CMCC' | 'CUCC' | 'CTCC';
const SIM_CARRIERS: SimCarrier[] = ['CMCC', 'CUCC', 'CTCC'];
export const DEFAULT_ADDRESSES: Record<SimCarrier, string> = {
  CMCC: '127.0.0.1:50061',
  CUCC: '127.0.0.1:50062',
  CTCC: '127.0.0.1:50063',
};

export interface SimulateArguments {
  subscribers: number;
  days: number;
  seed: number;
  out?: string;
  carriers?: Partial<Record<SimCarrier, string>>;
  /** First simulated day, China Standard Time (YYYY-MM-DDTHH:mm); the population's default otherwise. */
  start?: string;
}

function integer(name: string, value: string | undefined, min: number): number {
  if (value === undefined || !/^\d+$/.test(value) || Number(value) < min)
    throw new UsageError(`${name} needs a whole number of at least ${min}, got ${value ?? 'nothing'}\n${USAGE}`);
  return Number(value);
}

export function parseSimulateArguments(argv: string[]): SimulateArguments {
  const args: SimulateArguments = { subscribers: 100_000, days: 3, seed: 1 };
  let streaming = false;
  const addresses: Partial<Record<SimCarrier, string>> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    switch (arg) {
      case '--subscribers':
        args.subscribers = integer(arg, argv[++i], 10);
        break;
      case '--days':
        args.days = integer(arg, argv[++i], 1);
        break;
      case '--seed':
        args.seed = integer(arg, argv[++i], 0);
        break;
      case '--out': {
        const value = argv[++i];
        if (!value || value.startsWith('--')) throw new UsageError(`--out needs a file name\n${USAGE}`);
        args.out = value;
        break;
      }
      case '--carriers':
        streaming = true;
        break;
      case '--address': {
        const value = argv[++i] ?? '';
        const match = /^(CMCC|CUCC|CTCC)=([^\s:]+:\d+)$/.exec(value);
        if (!match)
          throw new UsageError(`--address needs CMCC|CUCC|CTCC=HOST:PORT, got ${value || 'nothing'}\n${USAGE}`);
        addresses[match[1] as SimCarrier] = match[2];
        break;
      }
      case '--help':
      case '-h':
        throw new UsageError(USAGE);
      default:
        throw new UsageError(`unknown argument ${arg}\n${USAGE}`);
    }
  }
  if (Object.keys(addresses).length > 0 && !streaming) throw new UsageError(`--address goes with --carriers\n${USAGE}`);
  if (streaming && args.out) throw new UsageError(`choose --out FILE or --carriers, not both\n${USAGE}`);
  if (!streaming && !args.out) throw new UsageError(`say where the events go: --out FILE or --carriers\n${USAGE}`);
  if (streaming) args.carriers = Object.keys(addresses).length > 0 ? addresses : { ...DEFAULT_ADDRESSES };
  return args;
}

/** The simulated population: the fixtures' population with every category and three carriers. */
export function simulatedPopulation(
  args: Pick<SimulateArguments, 'subscribers' | 'days' | 'seed' | 'start'>,
): fixtures.Population {
  return fixtures.population({
    subscribers: args.subscribers,
    days: args.days,
    seed: args.seed,
    heavyPerMille: 3,
    fraudPerMille: 1,
    carriers: true,
    extras: true,
    start: args.start,
  });
}

/** The ground-truth file: every category, with counts. */
export function labelsDocument(args: SimulateArguments, pop: fixtures.Population): Record<string, unknown> {
  const byCarrier: Record<string, number> = {};
  for (const c of pop.carrierOf.values()) byCarrier[c] = (byCarrier[c] ?? 0) + 1;
  const national = (list: Iterable<string>) => [...list].map((m) => (m.startsWith('+86') ? m.slice(3) : m));
  const mapValues = (o: Record<string, string[]>) =>
    Object.fromEntries(Object.entries(o).map(([k, v]) => [k, national(v)]));
  return {
    generator: 'npm run simulate',
    subscribers: args.subscribers,
    days: args.days,
    seed: args.seed,
    events: pop.events.length,
    subscribersByCarrier: byCarrier,
    counts: {
      fraud: pop.fraud.size,
      heavy: pop.heavy.size,
      falseReportVictims: pop.labels.falseReportVictims.length,
      falseReporters: pop.labels.falseReporters.length,
      probers: pop.labels.probers.length,
    },
    fraud: national(pop.fraud),
    heavy: national(pop.heavy),
    fraudByPattern: mapValues(pop.labels.fraudByPattern),
    heavyByKind: mapValues(pop.labels.heavyByKind),
    falseReportVictims: national(pop.labels.falseReportVictims),
    falseReporters: national(pop.labels.falseReporters),
    probers: national(pop.labels.probers),
  };
}

export interface Terminal {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

/** Events sent, events/s and ETA on stderr: one updating line on a TTY, a line every few seconds otherwise. */
export class Progress {
  private readonly started: number;
  private last = 0;

  constructor(
    private readonly total: number,
    private readonly out: Terminal,
    private readonly now: () => number = Date.now,
    private readonly everyMs = { tty: 200, plain: 5000 },
  ) {
    this.started = now();
    this.last = this.started;
  }

  line(sent: number): string {
    const seconds = Math.max((this.now() - this.started) / 1000, 1e-3);
    const rate = sent / seconds;
    const eta = rate > 0 ? (this.total - sent) / rate : Infinity;
    const width = 24;
    const done = this.total > 0 ? Math.min(width, Math.round((sent / this.total) * width)) : width;
    const pct = this.total > 0 ? ((sent / this.total) * 100).toFixed(1) : '100.0';
    return (
      `simulate: [${'#'.repeat(done)}${'.'.repeat(width - done)}] ${pct}% ` +
      `${sent.toLocaleString('en')}/${this.total.toLocaleString('en')} events, ` +
      `${Math.round(rate).toLocaleString('en')} events/s, ETA ${Number.isFinite(eta) ? `${Math.ceil(eta)} s` : '?'}`
    );
  }

  update(sent: number): void {
    const t = this.now();
    if (t - this.last < (this.out.isTTY ? this.everyMs.tty : this.everyMs.plain)) return;
    this.last = t;
    this.out.write(this.out.isTTY ? `\r${this.line(sent)}\x1b[K` : `${this.line(sent)}\n`);
  }

  done(sent: number): void {
    this.out.write(this.out.isTTY ? `\r${this.line(sent)}\x1b[K\n` : `${this.line(sent)}\n`);
  }
}

export interface SimulateResult {
  events: number;
  file?: string;
  labelsFile?: string;
  /** Per carrier fed: events sent and the service's answer. */
  carriers?: Partial<Record<SimCarrier, { sent: number; response: carrier.IngestEventsResponse }>>;
}

const BATCH = 500;

/** Generates the population and writes it to a file or streams it into the carriers. */
export async function runSimulate(
  args: SimulateArguments,
  stderr: Terminal,
  env: NodeJS.ProcessEnv = process.env,
): Promise<SimulateResult> {
  const t0 = Date.now();
  const pop = simulatedPopulation(args);
  stderr.write(
    `simulate: ${pop.events.length.toLocaleString('en')} events ` +
      `for ${args.subscribers.toLocaleString('en')} subscribers over ${args.days} days (seed ${args.seed}) ` +
      `in ${((Date.now() - t0) / 1000).toFixed(1)} s; ` +
      `${pop.fraud.size} fraud numbers, ${pop.heavy.size} honest heavy callers, ` +
      `${pop.labels.falseReportVictims.length} false-report victims\n`,
  );
  if (args.out) {
    await writeEvents(args.out, pop.events);
    const labelsFile = `${args.out}.labels.json`;
    writeFileSync(labelsFile, `${JSON.stringify(labelsDocument(args, pop), null, 2)}\n`);
    stderr.write(`simulate: wrote ${args.out} and ${labelsFile}\n`);
    return { events: pop.events.length, file: args.out, labelsFile };
  }
  return {
    events: pop.events.length,
    carriers: await streamToCarriers(args.carriers ?? DEFAULT_ADDRESSES, pop.events, stderr, env),
  };
}

async function writeEvents(file: string, events: CarrierEvent[]): Promise<void> {
  const out = createWriteStream(file);
  const done = new Promise<void>((resolve, reject) => {
    out.on('error', reject);
    out.on('finish', resolve);
  });
  for (let i = 0; i < events.length; i += 10_000) {
    if (
      !out.write(
        `${events
          .slice(i, i + 10_000)
          .map(eventLine)
          .join('\n')}\n`,
      )
    )
      await new Promise<void>((r) => out.once('drain', () => r()));
  }
  out.end();
  await done;
}

interface Feed {
  carrier: SimCarrier;
  call: ClientStreamingCall<carrier.IngestEventsRequest, carrier.IngestEventsResponse>;
  answer: Promise<carrier.IngestEventsResponse>;
  close(): void;
  batch: carrier.Event[];
  sent: number;
}

/** Each carrier gets its own subscribers' records and all the traffic, in batches, with flow control. */
async function streamToCarriers(
  addresses: Partial<Record<SimCarrier, string>>,
  events: CarrierEvent[],
  stderr: Terminal,
  env: NodeJS.ProcessEnv,
): Promise<SimulateResult['carriers']> {
  const key = loadSigningKey(env);
  const feeds: Feed[] = SIM_CARRIERS.filter((c) => addresses[c]).map((c) => {
    const token = signToken(
      { subject: `simulate-${c.toLowerCase()}`, role: `carrier:${c}`, ttlSeconds: 8 * 3600 },
      key,
    );
    const client = createGrpcClient(
      'fraud.carrier.v1.CarrierService',
      'fraud/carrier/v1/carrier.proto',
      addresses[c]!,
      { credentials: clientCredentials(env), token },
    );
    const call = clientStreaming<carrier.IngestEventsRequest, carrier.IngestEventsResponse>(client, 'ingestEvents');
    const answer = call.response.catch((error: Error) => {
      throw new Error(`${c} at ${addresses[c]}: ${error.message}`);
    });
    answer.catch(() => undefined); // reported when awaited
    return { carrier: c, call, answer, close: () => client.close(), batch: [], sent: 0 };
  });
  const progress = new Progress(events.length, stderr);
  const flush = async (feed: Feed) => {
    if (feed.batch.length === 0) return;
    feed.sent += feed.batch.length;
    const written = feed.call.write({ events: feed.batch });
    feed.batch = [];
    // A failed stream (wrong address, refused token) ends the run with its carrier named.
    await written.catch(() => feed.answer);
  };
  try {
    let i = 0;
    for (const event of events) {
      i++;
      const wire = toWireEvent(event);
      if (wire) {
        for (const feed of feeds) {
          if (event.type === 'subscriber' && event.carrier !== feed.carrier) continue;
          feed.batch.push(wire);
          if (feed.batch.length >= BATCH) await flush(feed);
        }
      }
      if (i % BATCH === 0) progress.update(i);
    }
    await Promise.all(feeds.map(flush));
    progress.done(events.length);
    feeds.forEach((f) => f.call.end());
    const result: NonNullable<SimulateResult['carriers']> = {};
    for (const feed of feeds) {
      result[feed.carrier] = { sent: feed.sent, response: await feed.answer };
      stderr.write(
        `simulate: ${feed.carrier} ${feed.sent.toLocaleString('en')} events sent: ` +
          `${JSON.stringify(result[feed.carrier]!.response)}\n`,
      );
    }
    return result;
  } finally {
    feeds.forEach((f) => f.close());
  }
}
