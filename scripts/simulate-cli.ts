import { createWriteStream, writeFileSync } from 'node:fs';
import { envOptional, type Env } from '@app/config';
import type { carrier } from '@app/contracts';
import { eventLine, fixtures, type CarrierEvent } from '@app/domain';
import {
  clientCredentials,
  clientStreaming,
  createGrpcClient,
  loadSigningKey,
  signToken,
  type ClientStreamingCall,
  type GrpcServiceClient,
} from '@app/grpc';
import { DEFAULT_DATA_DIR } from '@app/persistence';
import { toWireEvent } from '../apps/carrier/src/ingest/event.mapper';
import { HelpRequested } from './cli-help';
import { readStackFile as readStack, type StackFile as LauncherStackFile } from './launcher/stack-file';

export const USAGE = [
  'usage: npm run --silent simulate -- [--subscribers N] [--days D] [--seed S] [--start now|DATE] ' +
    '(--out FILE | --carriers [--address CARRIER=HOST:PORT ...] [--json])',
  '  --subscribers N   ordinary subscribers (default 100000), spread over CMCC, CUCC and CTCC',
  '  --days D          days of traffic (default 3)',
  '  --seed S          random seed (default 1); the same seed gives the same population',
  '  --start now|DATE  when the simulated days begin: now (they end at the wall clock), or a date or time',
  '                    (2026-12-01, 2026-12-01T08:00 China Standard Time, or with Z or an offset);',
  '                    default 2024-04-01, which a carrier that has seen newer events refuses as late',
  '  --out FILE        write the events (JSON Lines, DESIGN.md §3) to FILE and the ground truth to FILE.labels.json',
  '  --carriers        stream the events into running carrier services over gRPC (IngestEvents)',
  "  --address C=H:P   a carrier's address (repeatable); when given, only the carriers named are fed.",
  '                    Otherwise CARRIER_<ID>_ADDRESS, CARRIER_<ID>_PORT (on 127.0.0.1), the running',
  "                    stack's ${DATA_DIR:-.data}/stack.json, else 127.0.0.1:50061 CMCC, :50062 CUCC, :50063 CTCC.",
  '                    Plaintext when stack.json says so, or to loopback when no TLS is set (GRPC_TLS_CA)',
  '  --json            print the per-carrier answers as JSON on stdout',
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
  /** The per-carrier answers as JSON on stdout. */
  json?: boolean;
}

const DAY_MS = 86_400_000;
const CST_MS = 8 * 3_600_000;

/** An instant as the population's `start` takes it: China Standard Time, to the minute. */
export function cstMinute(ms: number): string {
  return new Date(ms + CST_MS).toISOString().slice(0, 16);
}

/**
 * `--start`: `now` puts the end of the last simulated day at the wall clock (to
 * the minute), so a carrier that has seen nothing newer takes every event; a date
 * or time without an offset is China Standard Time.
 */
export function parseStart(value: string | undefined, days: number, now: number): string {
  if (value === 'now') return cstMinute(Math.floor(now / 60_000) * 60_000 - days * DAY_MS);
  const match = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?)?(Z|[+-]\d{2}:\d{2})?$/.exec(value ?? '');
  const ms = match ? Date.parse(`${match[1]}T${match[2] ?? '00:00'}:00${match[3] ?? '+08:00'}`) : NaN;
  if (!match || Number.isNaN(ms))
    throw new UsageError(
      `--start needs now, a date (2026-12-01) or a time (2026-12-01T08:00, China Standard Time unless it has ` +
        `Z or an offset), got ${value || 'nothing'}\n${USAGE}`,
    );
  return cstMinute(ms);
}

function integer(name: string, value: string | undefined, min: number): number {
  if (value === undefined || !/^\d+$/.test(value) || Number(value) < min)
    throw new UsageError(`${name} needs a whole number of at least ${min}, got ${value ?? 'nothing'}\n${USAGE}`);
  return Number(value);
}

export function parseSimulateArguments(argv: string[], now: number = Date.now()): SimulateArguments {
  const args: SimulateArguments = { subscribers: 100_000, days: 3, seed: 1 };
  let streaming = false;
  let start: string | undefined;
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
      case '--start':
        start = argv[++i] ?? '';
        break;
      case '--json':
        args.json = true;
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
        throw new HelpRequested(USAGE);
      default:
        throw new UsageError(`unknown argument ${arg}\n${USAGE}`);
    }
  }
  if (Object.keys(addresses).length > 0 && !streaming) throw new UsageError(`--address goes with --carriers\n${USAGE}`);
  if (streaming && args.out) throw new UsageError(`choose --out FILE or --carriers, not both\n${USAGE}`);
  if (!streaming && !args.out) throw new UsageError(`say where the events go: --out FILE or --carriers\n${USAGE}`);
  if (args.json && !streaming) throw new UsageError(`--json goes with --carriers\n${USAGE}`);
  // The addresses named; none: each carrier's from the environment, the stack's file or the defaults (carrierTargets).
  if (streaming) args.carriers = addresses;
  // Read after --days, wherever it stands.
  if (start !== undefined) args.start = parseStart(start, args.days, now);
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

/** The carriers' answers so far, added up. */
export type Answers = Pick<carrier.IngestEventsResponse, 'accepted' | 'duplicates' | 'late' | 'rejected'>;

export interface Terminal {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

/**
 * Events sent, events/s, ETA and what the carriers answered so far (their answers
 * come per stream, so they trail what was sent) on stderr: one updating line on a
 * TTY, a line every few seconds otherwise.
 */
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

  /** `failed`: a carrier failed, so the line says so instead of a full bar. */
  line(sent: number, answers?: Answers, failed = false): string {
    const seconds = Math.max((this.now() - this.started) / 1000, 1e-3);
    const rate = sent / seconds;
    const eta = rate > 0 ? (this.total - sent) / rate : Infinity;
    const width = 24;
    const done = this.total > 0 ? Math.min(width, Math.round((sent / this.total) * width)) : width;
    const pct = this.total > 0 ? ((sent / this.total) * 100).toFixed(1) : '100.0';
    return (
      (failed ? 'simulate: FAILED after ' : `simulate: [${'#'.repeat(done)}${'.'.repeat(width - done)}] ${pct}% `) +
      `${sent.toLocaleString('en')}/${this.total.toLocaleString('en')} events, ` +
      `${Math.round(rate).toLocaleString('en')} events/s, ETA ${Number.isFinite(eta) ? `${Math.ceil(eta)} s` : '?'}` +
      (answers
        ? `; carriers' answers ${[
            [answers.accepted, 'accepted'],
            [answers.duplicates, 'duplicate'],
            [answers.late, 'late'],
            [answers.rejected, 'refused'],
          ]
            .map(([count, what]) => `${Number(count).toLocaleString('en')} ${what}`)
            .join(', ')}`
        : '')
    );
  }

  update(sent: number, answers?: Answers): void {
    const t = this.now();
    if (t - this.last < (this.out.isTTY ? this.everyMs.tty : this.everyMs.plain)) return;
    this.last = t;
    this.out.write(this.out.isTTY ? `\r${this.line(sent, answers)}\x1b[K` : `${this.line(sent, answers)}\n`);
  }

  done(sent: number, answers?: Answers, failed = false): void {
    const line = this.line(sent, answers, failed);
    this.out.write(this.out.isTTY ? `\r${line}\x1b[K\n` : `${line}\n`);
  }
}

/** What the simulator reads of `npm start`'s stack.json: whether it serves TLS, and every service's address. */
export type StackFile = Pick<LauncherStackFile, 'tls' | 'addresses'>;

/** The running stack's file, if there is one; a file that is not one is an error that names it. */
export function readStackFile(env: Env): StackFile | undefined {
  const found = readStack(envOptional(env, 'DATA_DIR') ?? DEFAULT_DATA_DIR);
  if (!found) return undefined;
  const { file, stack } = found;
  if (typeof stack?.tls !== 'boolean' || typeof stack.addresses !== 'object' || stack.addresses === null)
    throw new Error(`${file} has no "tls" and "addresses": delete it, or restart npm start`);
  return { tls: stack.tls, addresses: stack.addresses };
}

export interface CarrierTargets {
  addresses: Partial<Record<SimCarrier, string>>;
  /** What clientCredentials reads: plaintext decided here, or the caller's TLS variables. */
  credentialsEnv: Env;
  /** One line: where the addresses and the transport came from. */
  note: string;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\]|::1):\d+$/;

/**
 * Where each carrier is, and how to reach it. The addresses named on the command
 * line, else per carrier CARRIER_<ID>_ADDRESS, CARRIER_<ID>_PORT (on this host),
 * the stack's file, the default port. Plaintext when GRPC_INSECURE says so, when
 * the stack's file says it serves plaintext (npm start does), or when no TLS is
 * configured and every address is on this host; else TLS (GRPC_TLS_CA).
 */
export function carrierTargets(
  named: Partial<Record<SimCarrier, string>>,
  env: Env,
  stack?: StackFile,
): CarrierTargets {
  const addresses: Partial<Record<SimCarrier, string>> = {};
  const sources = new Set<string>();
  if (Object.keys(named).length > 0) {
    Object.assign(addresses, named);
    sources.add('--address');
  } else {
    for (const c of SIM_CARRIERS) {
      const address = envOptional(env, `CARRIER_${c}_ADDRESS`);
      const port = envOptional(env, `CARRIER_${c}_PORT`);
      const fromStack = stack?.addresses[`CARRIER_${c}_ADDRESS`];
      if (address !== undefined) sources.add(`CARRIER_${c}_ADDRESS`);
      else if (port !== undefined) sources.add(`CARRIER_${c}_PORT`);
      else if (stack) sources.add('stack.json');
      else sources.add('default ports');
      // A stack that runs some carriers only: the others are not fed.
      const chosen = address ?? (port !== undefined ? `127.0.0.1:${port}` : stack ? fromStack : DEFAULT_ADDRESSES[c]);
      if (chosen !== undefined) addresses[c] = chosen;
    }
  }
  const tlsConfigured =
    envOptional(env, 'GRPC_INSECURE') !== undefined || envOptional(env, 'GRPC_TLS_CA') !== undefined;
  const plaintext: Env = { ...env, GRPC_INSECURE: 'true' };
  let credentialsEnv: Env = env;
  let transport: string;
  if (tlsConfigured) transport = envOptional(env, 'GRPC_INSECURE') === 'true' ? 'plaintext (GRPC_INSECURE)' : 'TLS';
  else if (stack && !stack.tls) [credentialsEnv, transport] = [plaintext, 'plaintext, as the stack serves'];
  else if (stack?.tls) transport = 'TLS, as the stack serves';
  else if (Object.values(addresses).every((a) => LOOPBACK.test(a)))
    [credentialsEnv, transport] = [plaintext, 'plaintext on this host (set GRPC_TLS_CA for TLS)'];
  else transport = 'TLS';
  return { addresses, credentialsEnv, note: `addresses from ${[...sources].join(', ')}; ${transport}` };
}

/** A carrier's answers to the simulation, added up over its streams. */
export interface CarrierOutcome {
  address: string;
  /** Events sent, subscriber records included. */
  sent: number;
  response: carrier.IngestEventsResponse;
  /** Why this carrier counts as failed: unreachable, its stream refused, or most events refused. */
  failure?: string;
}

export interface SimulateResult {
  events: number;
  file?: string;
  labelsFile?: string;
  /** Per carrier fed: events sent and the service's answers. */
  carriers?: Partial<Record<SimCarrier, CarrierOutcome>>;
  /** The carriers that failed, one sentence each: the run failed when there is any. */
  failures?: string[];
}

const BATCH = 500;
/** Each carrier's events go in streams of this many messages, so progress shows what the carriers answered. */
const MESSAGES_PER_STREAM = 20;
/** How long a carrier has to accept a connection. */
const CONNECT_MS = 5000;

/** Generates the population and writes it to a file or streams it into the carriers. */
export async function runSimulate(
  args: SimulateArguments,
  stderr: Terminal,
  env: NodeJS.ProcessEnv = process.env,
): Promise<SimulateResult> {
  // Before generating anything: a carrier that is not there fails the run at once.
  const targets = args.out ? undefined : carrierTargets(args.carriers ?? {}, env, readStackFile(env));
  const clients = targets && (await connect(targets, env, stderr));
  try {
    const t0 = Date.now();
    const pop = simulatedPopulation(args);
    stderr.write(
      `simulate: ${pop.events.length.toLocaleString('en')} events ` +
        `for ${args.subscribers.toLocaleString('en')} subscribers over ${args.days} days ` +
        `from ${args.start ?? '2024-04-01T00:00'} CST (seed ${args.seed}) ` +
        `in ${((Date.now() - t0) / 1000).toFixed(1)} s; ` +
        `${pop.fraud.size} fraud numbers, ${pop.heavy.size} honest heavy callers, ` +
        `${pop.labels.falseReportVictims.length} false-report victims\n`,
    );
    if (args.out || !clients) {
      const out = args.out!;
      await writeEvents(out, pop.events);
      const labelsFile = `${out}.labels.json`;
      writeFileSync(labelsFile, `${JSON.stringify(labelsDocument(args, pop), null, 2)}\n`);
      stderr.write(`simulate: wrote ${out} and ${labelsFile}\n`);
      return { events: pop.events.length, file: out, labelsFile };
    }
    const carriers = await streamToCarriers(clients, pop.events, stderr);
    const failures = Object.values(carriers).flatMap((c) => (c.failure ? [c.failure] : []));
    stderr.write(summary(carriers, failures));
    return { events: pop.events.length, carriers, failures };
  } finally {
    clients?.forEach((c) => c.client.close());
  }
}

interface CarrierClient {
  carrier: SimCarrier;
  address: string;
  client: GrpcServiceClient;
}

async function connect(targets: CarrierTargets, env: Env, stderr: Terminal): Promise<CarrierClient[]> {
  const carriers = SIM_CARRIERS.filter((c) => targets.addresses[c]);
  if (carriers.length === 0) throw new Error(`no carrier to feed (${targets.note})`);
  const key = loadSigningKey(env);
  const credentials = clientCredentials(targets.credentialsEnv);
  stderr.write(
    `simulate: feeding ${carriers.map((c) => `${c} at ${targets.addresses[c]}`).join(', ')} (${targets.note})\n`,
  );
  const clients = carriers.map((c) => ({
    carrier: c,
    address: targets.addresses[c]!,
    client: createGrpcClient(
      'fraud.carrier.v1.CarrierService',
      'fraud/carrier/v1/carrier.proto',
      targets.addresses[c]!,
      {
        credentials,
        token: signToken({ subject: `simulate-${c.toLowerCase()}`, role: `carrier:${c}`, ttlSeconds: 8 * 3600 }, key),
      },
    ),
  }));
  const unreachable = (
    await Promise.all(
      clients.map(
        ({ carrier: c, address, client }) =>
          new Promise<string | undefined>((resolve) =>
            client.waitForReady(Date.now() + CONNECT_MS, (error) =>
              resolve(error ? `${c} at ${address} (${error.message})` : undefined),
            ),
          ),
      ),
    )
  ).filter((m): m is string => m !== undefined);
  if (unreachable.length > 0) {
    clients.forEach((c) => c.client.close());
    throw new Error(
      `unreachable: ${unreachable.join(', ')}. Is the stack running (npm start), and on these ports? ` +
        'An address: --address, CARRIER_<ID>_ADDRESS or CARRIER_<ID>_PORT',
    );
  }
  return clients;
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

interface Feed extends CarrierClient {
  call?: ClientStreamingCall<carrier.IngestEventsRequest, carrier.IngestEventsResponse>;
  messages: number;
  batch: carrier.Event[];
  outcome: CarrierOutcome;
}

function emptyResponse(): carrier.IngestEventsResponse {
  return { accepted: 0, duplicates: 0, rejected: 0, late: 0, rejections: [], decisions: 0 };
}

function add(total: carrier.IngestEventsResponse, part: carrier.IngestEventsResponse): void {
  total.accepted += Number(part.accepted);
  total.duplicates += Number(part.duplicates);
  total.rejected += Number(part.rejected);
  total.late += Number(part.late);
  total.decisions += Number(part.decisions);
  total.rejections.push(...(part.rejections ?? []).slice(0, Math.max(0, 100 - total.rejections.length)));
}

/** Late and refused together: what a carrier would not analyse. */
function turnedAway(r: carrier.IngestEventsResponse): number {
  return Number(r.late) + Number(r.rejected);
}

/**
 * Each carrier gets its own subscribers' records and all the traffic, in
 * batches with flow control, over successive streams: after each, the answers
 * so far are on the progress line, and a carrier that turned most events away
 * is not fed further.
 */
async function streamToCarriers(
  clients: CarrierClient[],
  events: CarrierEvent[],
  stderr: Terminal,
): Promise<Partial<Record<SimCarrier, CarrierOutcome>>> {
  const feeds: Feed[] = clients.map((c) => ({
    ...c,
    messages: 0,
    batch: [],
    outcome: { address: c.address, sent: 0, response: emptyResponse() },
  }));
  const live = () => feeds.filter((f) => !f.outcome.failure);
  const fail = (feed: Feed, failure: string) => {
    feed.outcome.failure ??= failure;
    feed.call?.end();
    feed.call = undefined;
  };
  const finish = async (feed: Feed) => {
    const call = feed.call;
    if (!call) return;
    feed.call = undefined;
    feed.messages = 0;
    call.end();
    try {
      add(feed.outcome.response, await call.response);
    } catch (error) {
      return fail(feed, `${feed.carrier} at ${feed.address} ended the stream: ${(error as Error).message}`);
    }
    const { sent, response } = feed.outcome;
    if (turnedAway(response) * 2 > sent) fail(feed, mostlyRefused(feed.carrier, sent, response));
  };
  const flush = async (feed: Feed) => {
    if (feed.batch.length === 0 || feed.outcome.failure) return;
    feed.call ??= clientStreaming<carrier.IngestEventsRequest, carrier.IngestEventsResponse>(
      feed.client,
      'ingestEvents',
    );
    feed.outcome.sent += feed.batch.length;
    const written = feed.call.write({ events: feed.batch });
    feed.batch = [];
    feed.messages++;
    try {
      await written;
    } catch {
      // The stream failed (refused token, server gone): its answer says why.
      return finish(feed);
    }
    if (feed.messages >= MESSAGES_PER_STREAM) await finish(feed);
  };
  const progress = new Progress(events.length, stderr);
  const counts = () => {
    const total = emptyResponse();
    feeds.forEach((f) => add(total, f.outcome.response));
    return total;
  };
  let i = 0;
  for (const event of events) {
    if (live().length === 0) break;
    i++;
    const wire = toWireEvent(event);
    if (wire) {
      for (const feed of live()) {
        if (event.type === 'subscriber' && event.carrier !== feed.carrier) continue;
        feed.batch.push(wire);
        if (feed.batch.length >= BATCH) await flush(feed);
      }
    }
    if (i % BATCH === 0) progress.update(i, counts());
  }
  for (const feed of live()) await flush(feed);
  await Promise.all(feeds.map(finish));
  progress.done(i, counts(), feeds.length > live().length);
  return Object.fromEntries(feeds.map((f) => [f.carrier, f.outcome]));
}

function mostlyRefused(c: SimCarrier, sent: number, r: carrier.IngestEventsResponse): string {
  const n = (x: number) => x.toLocaleString('en');
  const late = Number(r.late);
  return (
    `${c} turned away ${n(turnedAway(r))} of ${n(sent)} events (${n(late)} late, ${n(Number(r.rejected))} refused)` +
    (late * 2 > sent
      ? `: it has already seen newer events, and takes none more than its lateness (EVENT_LATENESS_SEC) behind ` +
        'them. Simulate after them with --start now on a stack that has seen no newer events, or restart the stack'
      : `: ${topReasons(r).join('; ')}`)
  );
}

/** The most frequent rejection reasons among the first hundred, with their counts. */
function topReasons(r: carrier.IngestEventsResponse, limit = 3): string[] {
  const counts = new Map<string, number>();
  for (const x of r.rejections ?? []) {
    const reason = `${x.field}: ${x.reason}`;
    counts.set(reason, (counts.get(reason) ?? 0) + 1);
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([reason, count]) => `${count}× ${reason}`);
}

/** A few lines a person reads: per carrier what it took, and what failed. */
export function summary(carriers: Partial<Record<SimCarrier, CarrierOutcome>>, failures: string[]): string {
  const n = (x: number | string) => Number(x).toLocaleString('en');
  const lines = Object.entries(carriers).map(([c, { address, sent, response: r, failure }]) => {
    const line =
      `simulate: ${c} (${address}) ${failure ? 'FAILED' : 'ok'}: ${n(sent)} sent, ${n(r.accepted)} accepted, ` +
      `${n(r.duplicates)} duplicate, ${n(r.late)} late, ${n(r.rejected)} refused; ${n(r.decisions)} decisions`;
    const reasons = !failure && turnedAway(r) > 0 ? topReasons(r) : [];
    return [line, ...reasons.map((reason) => `simulate:   ${reason}`)].join('\n');
  });
  const verdict =
    failures.length === 0
      ? 'simulate: done; the carriers report to the administration: open the dashboard'
      : failures.map((f) => `simulate: failed: ${f}`).join('\n');
  return `${[...lines, verdict].join('\n')}\n`;
}
