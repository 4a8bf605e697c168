import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import path from 'node:path';
import type { Env } from '@app/config';
import { createGrpcClient, unary } from '@app/grpc';
import { ServiceProcess } from '../launcher/service-process';
import { callLoads, callLoadsWithGrpcJs, checkCallBody, maxLoad, type CallLoad } from './callcheck';
import { grpcFrame } from './grpc-frame';
import { h2loadAvailable, H2LOAD_MISSING, runH2load, type H2loadResult } from './h2load';
import { ingestLoad, streamIngest, INGEST_BATCH } from './ingest';
import { encodeRequest } from './proto-methods';
import {
  CHECK_BATCH,
  checkOnce,
  checkRequest,
  checkVersions,
  checkWithClients,
  seedListedNumbers,
  type CheckVersion,
} from './registry-check';
import { evaluate, formatNumber, formatTable, type Figure } from './report';
import { measureRestore } from './restore';
import { BenchEnvironment } from './services';
import { settle } from './settle';
import { benchSettings, type BenchSettings } from './settings';

type Print = (line: string) => void;

/** The raw grpc-js reference server, in its own process (raw-server.ts). */
async function startRawServer(distRoot: string, print: Print): Promise<{ address: string; stop: () => Promise<void> }> {
  let onPort: (port: string) => void = () => undefined;
  const port = new Promise<string>((resolve) => (onPort = resolve));
  const child = new ServiceProcess(
    'raw',
    process.execPath,
    [path.join(distRoot, 'scripts', 'bench', 'raw-server.js')],
    process.env,
    (line) => {
      const match = /^listening (\d+)$/.exec(line);
      if (match) onPort(match[1]);
      else print(`raw | ${line}`);
    },
  );
  const listening = await Promise.race([port, child.exited.then(() => undefined)]);
  if (!listening) throw new Error(`the raw grpc-js server did not start: ${child.lastLines().join(' / ')}`);
  return { address: `127.0.0.1:${listening}`, stop: async () => void (await child.stop(5000)) };
}

function maxOf(loads: readonly CallLoad[]): H2loadResult {
  const max = loads.find((l) => l.label === 'max');
  if (!max) throw new Error('(d) measured no max load');
  return max.result;
}

/** The result whose rate is the median of three (or the middle one of any odd count). */
function medianByRate(results: readonly H2loadResult[]): H2loadResult {
  return [...results].sort((a, b) => a.rate - b.rate)[Math.floor(results.length / 2)];
}

function callFigures(carrier: CallLoad[], raw: CallLoad[], via: string): Figure[] {
  const byLabel = (loads: CallLoad[], label: string) => loads.find((l) => l.label === label);
  const figures: Figure[] = [];
  const seqC = byLabel(carrier, 'sequential');
  const seqR = byLabel(raw, 'sequential');
  if (seqC && seqR) {
    figures.push({
      id: 'd',
      name: 'CheckCall p50, 1 in flight',
      value: seqC.result.latencyMs.p50,
      unit: 'ms',
      reference: seqR.result.latencyMs.p50,
      note: via,
    });
    figures.push({
      id: 'd',
      name: 'CheckCall p99, 1 in flight',
      value: seqC.result.latencyMs.p99,
      unit: 'ms',
      reference: seqR.result.latencyMs.p99,
      target: { kind: 'max', at: 2 },
    });
  }
  for (const load of carrier.filter((l) => l.rate !== undefined)) {
    const ref = byLabel(raw, load.label);
    figures.push({
      id: 'd',
      name: `CheckCall p50 at ${load.label} (achieved ${formatNumber(load.result.rate)}/s)`,
      value: load.result.latencyMs.p50,
      unit: 'ms',
      reference: ref?.result.latencyMs.p50,
    });
    figures.push({
      id: 'd',
      name: `CheckCall p99 at ${load.label}`,
      value: load.result.latencyMs.p99,
      unit: 'ms',
      reference: ref?.result.latencyMs.p99,
    });
  }
  const maxC = carrier.find((l) => l.label.startsWith('max'));
  const maxR = raw.find((l) => l.label.startsWith('max'));
  if (maxC && maxR) {
    figures.push({
      id: 'd',
      name: `CheckCall throughput, ${maxC.label}`,
      value: maxC.result.rate,
      unit: 'calls/s',
      reference: maxR.result.rate,
      target: { kind: 'ratio', at: 0.8 },
    });
    figures.push({
      id: 'd',
      name: 'CheckCall p99 at max',
      value: maxC.result.latencyMs.p99,
      unit: 'ms',
      reference: maxR.result.latencyMs.p99,
    });
  }
  return figures;
}

/**
 * Runs the figures BENCH_ONLY asks for, prints the table, writes bench-results/bench-<date>.json;
 * resolves with the exit status.
 */
export async function runBench(distRoot: string, processEnv: Env, print: Print): Promise<number> {
  const settings = benchSettings(processEnv);
  const started = new Date();
  const dataDir = path.resolve(processEnv.DATA_DIR ?? '.data', 'bench');
  mkdirSync(dataDir, { recursive: true });
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
  print(`npm run bench: ${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}, ${started.toISOString()}`);
  const useH2load = h2loadAvailable();
  if (!useH2load && (settings.only.has('c') || settings.only.has('d')))
    print(`${H2LOAD_MISSING}; (c) and (d) fall back to grpc-js clients in this process, which saturate first`);

  const env = await BenchEnvironment.open(distRoot, processEnv, dataDir, (line) => print(`  ${line}`));
  print(`database server: ${env.embedded ? `embedded PostgreSQL under ${dataDir}/pg` : 'DATABASE_URL'}`);
  const raw = await startRawServer(distRoot, print);
  const figures: Figure[] = [];
  const details: Record<string, unknown> = {};
  const carrierToken = env.token('carrier:CTCC');
  try {
    const needsCarrier = settings.only.has('b') || settings.only.has('d');
    const load =
      settings.only.has('a') || settings.only.has('b')
        ? timed(print, 'population', () => ingestLoad(settings.subscribers, settings.days))
        : undefined;
    if (load)
      print(
        `population: ${settings.subscribers} subscribers over ${settings.days} days, ` +
          `${load.events} events for CTCC in ${load.messages.length} messages of ${INGEST_BATCH}, ` +
          'encoded before the clock starts',
      );

    let rawRate = Number.NaN;
    if (load && settings.only.has('a')) {
      await streamIngest(raw.address, carrierToken, { messages: load.messages.slice(0, 200), events: 0 }); // warm-up
      const { ms, response } = await streamIngest(raw.address, carrierToken, load);
      if (response.accepted !== load.events)
        throw new Error(`(a) the raw server counted ${response.accepted} of ${load.events} events`);
      rawRate = (load.events * 1000) / ms;
      print(
        `(a) raw grpc-js stream: ${load.events} events in ${(ms / 1000).toFixed(2)} s ` +
          `= ${formatNumber(rawRate)} events/s`,
      );
      figures.push({
        id: 'a',
        name: 'raw grpc-js IngestEvents stream',
        value: rawRate,
        unit: 'events/s',
        note: `${load.events} events, ${INGEST_BATCH} per message, to a server that only counts them`,
      });
      details.a = { events: load.events, ms };
    }

    if (needsCarrier) {
      const carrier = await env.start(
        'carrier',
        'carrier-ctcc',
        await env.freshDatabase('bench_carrier_ctcc'),
        { CARRIER_ID: 'CTCC' },
        settings.carrierNodeArgs,
      );
      print(`carrier CTCC started (pid ${carrier.pid}) on ${carrier.address}`);
      if (load && settings.only.has('b')) {
        const { ms, response } = await streamIngest(carrier.address, carrierToken, load);
        const rate = (load.events * 1000) / ms;
        print(
          `(b) carrier IngestEvents: ${response.accepted} accepted, ${response.rejected} rejected, ` +
            `${response.decisions} decisions in ${(ms / 1000).toFixed(2)} s = ${formatNumber(rate)} events/s`,
        );
        figures.push({
          id: 'b',
          name: 'carrier IngestEvents, decisions durable',
          value: rate,
          unit: 'events/s',
          reference: settings.only.has('a') ? rawRate : undefined,
          target: { kind: 'ratio', at: 0.5 },
          note: `${response.decisions} decisions`,
        });
        details.b = { events: load.events, ms, response: { ...response, rejections: response.rejections.slice(0, 5) } };
      }
      if (settings.only.has('d')) {
        // CheckCall is measured on a carrier at rest: after (b) it still collects the ingest's garbage for a while.
        const waited = await settle(carrier.pid);
        if (waited !== undefined) print(`(d) the carrier was idle ${(waited / 1000).toFixed(1)} s after (b)`);
        const caller = '+8613500000001';
        const callee = '+8613800000002';
        const client = createGrpcClient(
          'fraud.carrier.v1.CarrierService',
          'fraud/carrier/v1/carrier.proto',
          carrier.address,
          { token: carrierToken },
        );
        const answer = await unary<{ verdict: string }>(client, 'checkCall', { caller, callee });
        client.close();
        print(`(d) CheckCall ${caller} → ${callee}: ${answer.verdict}; load by ${useH2load ? 'h2load' : 'grpc-js'}`);
        const body = checkCallBody(caller, callee);
        const measure = (address: string) =>
          useH2load
            ? callLoads(address, carrierToken, body, settings.callRates, settings.callSeconds, settings.callSequential)
            : callLoadsWithGrpcJs(address, carrierToken, caller, callee, settings.callSeconds, settings.callSequential);
        const carrierLoads = await measure(carrier.address);
        const rawLoads = await measure(raw.address);
        // Flat out, the two servers' rates swing by a fifth from one run to the next on two shared cores: two more
        // rounds each, taken in turns, and the median of three stands for each.
        if (useH2load) {
          const rounds = { carrier: [maxOf(carrierLoads)], raw: [maxOf(rawLoads)] };
          for (let round = 0; round < 2; round++) {
            rounds.carrier.push(await maxLoad(carrier.address, carrierToken, body, settings.callSeconds));
            rounds.raw.push(await maxLoad(raw.address, carrierToken, body, settings.callSeconds));
          }
          for (const [loads, results] of [
            [carrierLoads, rounds.carrier],
            [rawLoads, rounds.raw],
          ] as const) {
            print(`(d) max rounds: ${results.map((r) => formatNumber(r.rate)).join(', ')} calls/s`);
            loads[loads.findIndex((l) => l.label === 'max')].result = medianByRate(results);
          }
        }
        for (const [who, loads] of [
          ['carrier (plain CheckCall)', carrierLoads],
          ['raw', rawLoads],
        ] as const) {
          for (const l of loads)
            print(
              `(d) ${who} ${l.label}: ${formatNumber(l.result.rate)} calls/s, ` +
                `p50 ${formatNumber(l.result.latencyMs.p50)} ms, p99 ${formatNumber(l.result.latencyMs.p99)} ms ` +
                `(${l.result.succeeded}/${l.result.requests} ok)`,
            );
        }
        figures.push(...callFigures(carrierLoads, rawLoads, useH2load ? 'h2load' : 'one grpc-js client'));
        details.d = { carrier: carrierLoads, raw: rawLoads, via: useH2load ? 'h2load' : 'grpc-js' };
      }
      await carrier.stop();
    }

    if (settings.only.has('c')) await registryFigure(env, settings, useH2load, figures, details, print);
    if (settings.only.has('e')) await restoreFigure(env, settings, figures, details, print);
  } finally {
    await raw.stop();
    await env.close();
  }

  const evaluated = figures.map(evaluate);
  print('');
  for (const line of formatTable(evaluated)) print(line);
  const outDir = path.resolve(processEnv.BENCH_RESULTS_DIR ?? 'bench-results');
  mkdirSync(outDir, { recursive: true });
  const file = path.join(
    outDir,
    `bench-${started
      .toISOString()
      .replace(/:/g, '-')
      .replace(/\.\d+Z$/, 'Z')}.json`,
  );
  const { only, ...sizes } = settings;
  writeFileSync(
    file,
    JSON.stringify(
      { date: started.toISOString(), machine, settings: { ...sizes, only: [...only] }, figures: evaluated, details },
      null,
      2,
    ) + '\n',
  );
  print(`\nresults: ${file} (${((Date.now() - started.getTime()) / 1000).toFixed(0)} s)`);
  return 0;
}

async function registryFigure(
  env: BenchEnvironment,
  settings: BenchSettings,
  useH2load: boolean,
  figures: Figure[],
  details: Record<string, unknown>,
  print: Print,
): Promise<void> {
  const url = await env.freshDatabase('bench_registry_listed');
  const seedMs = await seedListedNumbers(url, settings.listed);
  print(
    `(c) seeded ${formatNumber(settings.listed)} listed numbers in ${(seedMs / 1000).toFixed(1)} s ` +
      '(generate_series INSERT … SELECT into number_status and status_change, before the registry starts)',
  );
  const bootStarted = performance.now();
  const registry = await env.start('registry', 'registry', url, {}, settings.registryNodeArgs);
  print(`(c) registry SERVING in ${((performance.now() - bootStarted) / 1000).toFixed(1)} s (status index loaded)`);
  try {
    const token = env.token('carrier:CTCC');
    const versions = checkVersions(checkRequest(settings.listed, Math.min(CHECK_BATCH, settings.listed * 10)));
    const measured: Record<string, unknown> = {};
    let listedInBatch: number | undefined;
    for (const check of versions) {
      const sanity = await checkOnce(registry.address, token, check);
      if (sanity.results !== check.size)
        throw new Error(`(c) CheckNumbers ${check.label} answered ${sanity.results} of ${check.size} numbers`);
      if (listedInBatch !== undefined && sanity.listed !== listedInBatch)
        throw new Error(`(c) CheckNumbers ${check.label} found ${sanity.listed} listed, v1 ${listedInBatch}`);
      listedInBatch = sanity.listed;
      const { rate, via, detail } = useH2load
        ? await checkWithH2load(registry.address, token, check, settings)
        : {
            rate: await checkWithClients(
              registry.address,
              token,
              check,
              settings.checkClients,
              settings.checkStreams,
              settings.checkSeconds,
            ),
            via: `grpc-js, ${settings.checkClients} clients × ${settings.checkStreams} in flight`,
            detail: {},
          };
      measured[check.label] = { ...detail, rate, via };
      print(
        `(c) CheckNumbers ${check.label}: ${formatNumber(rate)} numbers/s ` +
          `(${sanity.listed} of ${check.size} listed per call; ${via})`,
      );
      figures.push({
        id: 'c',
        name: `registry CheckNumbers ${check.label}, ${formatNumber(settings.listed)} listed`,
        value: rate,
        unit: 'numbers/s',
        // The target is v2's (packed numbers, the call-setup form); v1 and v2 strings are shown beside it.
        ...(check.label === 'v2 packed' ? { target: { kind: 'min' as const, at: 1_000_000 } } : {}),
        note: via,
      });
    }
    details.c = { seedMs, listedInBatch, batch: versions[0].size, versions: measured };
  } finally {
    await registry.stop();
  }
}

/** h2load against one version's CheckNumbers: a warm-up, then `checkSeconds` flat out. */
async function checkWithH2load(
  address: string,
  token: string,
  check: CheckVersion,
  settings: BenchSettings,
): Promise<{ rate: number; via: string; detail: Record<string, unknown> }> {
  const body = grpcFrame(encodeRequest(check.protoFile, check.service, 'CheckNumbers', check.request));
  const url = `http://${address}/${check.service}/CheckNumbers`;
  const load = { url, body, token, clients: settings.checkClients, streams: settings.checkStreams };
  await runH2load({ ...load, requests: 50 });
  const result = await runH2load({ ...load, seconds: settings.checkSeconds });
  if (result.succeeded !== result.requests)
    throw new Error(`(c) ${check.label}: ${result.requests - result.succeeded} of ${result.requests} calls failed`);
  return {
    rate: result.rate * check.size,
    via: `h2load, ${settings.checkClients} clients × ${settings.checkStreams} streams, ${settings.checkSeconds} s`,
    detail: {
      service: check.service,
      calls: result.requests,
      callsPerSecond: result.rate,
      latencyMs: result.latencyMs,
    },
  };
}

async function restoreFigure(
  env: BenchEnvironment,
  settings: BenchSettings,
  figures: Figure[],
  details: Record<string, unknown>,
  print: Print,
): Promise<void> {
  const registry = await env.start('registry', 'registry-linked', await env.freshDatabase('bench_registry_linked'));
  const carrierDb = await env.freshDatabase('bench_carrier_linked');
  const carrier = await env.start('carrier', 'carrier-linked', carrierDb, {
    CARRIER_ID: 'CTCC',
    REGISTRY_ADDRESS: registry.address,
    REGISTRY_RETRY_MAX_MS: '500',
  });
  try {
    const result = await measureRestore(
      registry.address,
      carrier.address,
      carrierDb,
      { police: env.token('police', 'officer-bench'), carrier: env.token('carrier:CTCC') },
      settings.restoreNumbers,
    );
    const { latencyMs, pollPeriodMs } = result;
    print(
      `(e) CLEARED → RESTORE over ${latencyMs.count} numbers: p50 ${formatNumber(latencyMs.p50)} ms, ` +
        `p99 ${formatNumber(latencyMs.p99)} ms, max ${formatNumber(latencyMs.max)} ms ` +
        `(decision table read every ${pollPeriodMs.toFixed(2)} ms on average)`,
    );
    const note = `from sending VerifyNumber to reading the durable RESTORE; resolution ${pollPeriodMs.toFixed(2)} ms`;
    figures.push({ id: 'e', name: 'police CLEARED → carrier RESTORE p50', value: latencyMs.p50, unit: 'ms', note });
    figures.push({
      id: 'e',
      name: 'police CLEARED → carrier RESTORE p99',
      value: latencyMs.p99,
      unit: 'ms',
      target: { kind: 'max', at: 500 },
    });
    details.e = { ...result };
  } finally {
    await carrier.stop();
    await registry.stop();
  }
}

function timed<T>(print: Print, what: string, work: () => T): T {
  const t = performance.now();
  const value = work();
  print(`${what}: ${((performance.now() - t) / 1000).toFixed(1)} s`);
  return value;
}
