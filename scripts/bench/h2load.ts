import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseH2loadLog, parseH2loadSummary } from './grpc-frame';
import { summarise, type LatencySummary } from './stats';

export const H2LOAD = process.env.BENCH_H2LOAD ?? '/usr/bin/h2load';
export const H2LOAD_MISSING =
  `h2load not found at ${H2LOAD}: ` +
  'install it with `sudo apt-get install nghttp2-client` (Debian/Ubuntu) or set BENCH_H2LOAD';

export function h2loadAvailable(): boolean {
  return existsSync(H2LOAD);
}

export interface H2loadRun {
  /** `http://127.0.0.1:PORT/fraud.carrier.v1.CarrierService/CheckCall`. */
  url: string;
  /** The request body: one gRPC frame. */
  body: Buffer;
  token: string;
  clients: number;
  /** Concurrent streams per client. */
  streams: number;
  /** Requests per second per client (a fixed rate); unlimited when absent. */
  rpsPerClient?: number;
  /** Either a duration (seconds) or a request count. */
  seconds?: number;
  requests?: number;
}

export interface H2loadResult {
  requests: number;
  succeeded: number;
  /** Requests per second h2load measured. */
  rate: number;
  /** Per-request latency in milliseconds, from h2load's log. */
  latencyMs: LatencySummary;
}

/** Runs h2load once (HTTP/2 cleartext, gRPC headers) and reads its per-request log. */
export async function runH2load(run: H2loadRun): Promise<H2loadResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-h2load-'));
  try {
    const bodyFile = path.join(dir, 'body.bin');
    const logFile = path.join(dir, 'requests.log');
    writeFileSync(bodyFile, run.body);
    const args = [
      run.url,
      '-d',
      bodyFile,
      '-H',
      'content-type: application/grpc',
      '-H',
      'te: trailers',
      '-H',
      `authorization: Bearer ${run.token}`,
      '-c',
      String(run.clients),
      '-m',
      String(run.streams),
      '-t',
      '1',
      '--log-file',
      logFile,
      ...(run.rpsPerClient === undefined ? [] : ['--rps', String(run.rpsPerClient)]),
      ...(run.seconds === undefined ? ['-n', String(run.requests ?? 1000)] : ['-D', String(run.seconds)]),
    ];
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn(H2LOAD, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.once('error', reject);
      child.once('close', (code) =>
        code === 0 ? resolve(text) : reject(new Error(`h2load exited with ${code}: ${text.slice(-500)}`)),
      );
    });
    const summary = parseH2loadSummary(output);
    if (!summary) throw new Error(`unexpected h2load output: ${output.slice(-500)}`);
    const log = parseH2loadLog(readFileSync(logFile, 'utf8'));
    return {
      requests: summary.done,
      succeeded: summary.succeeded,
      rate: summary.rate,
      latencyMs: summarise(log.map((r) => r.durationUs / 1000)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
