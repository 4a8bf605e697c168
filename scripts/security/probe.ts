import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
/** Debian's python3 carries python3-grpcio and python3-protobuf (a pyenv python3 on PATH may not). */
export const PYTHON = process.env.SECURITY_PYTHON ?? '/usr/bin/python3';
const PROBE = path.join(__dirname, 'grpc_probe.py');

/** One call made by the independent client (scripts/security/grpc_probe.py documents every field). */
export interface ProbeCall {
  target: string;
  method: string;
  request?: unknown;
  requests?: unknown[];
  rawHex?: string;
  metadata?: [string, string][];
  timeout?: number;
  read?: number;
  readFor?: number;
  hold?: number;
}

export interface ProbeResult {
  code: string;
  details: string;
  response: Record<string, unknown> | null;
  responses: Record<string, unknown>[];
  elapsed: number;
}

let image: string | undefined;

/**
 * proto/ compiled by buf (its own compiler, not protobufjs) into a FileDescriptorSet,
 * with grpc.health.v1 beside it (the health proto grpc-health-check ships).
 */
export function descriptorSet(): string {
  if (!image) {
    const dir = mkdtempSync(path.join(tmpdir(), 'fraud-image-'));
    const buf = (args: string[]) => execFileSync(path.join(ROOT, 'node_modules', '.bin', 'buf'), args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    buf(['build', '-o', path.join(dir, 'fraud.binpb')]);
    buf(['build', path.join(ROOT, 'node_modules', 'grpc-health-check', 'proto'), '-o', path.join(dir, 'health.binpb')]);
    // A FileDescriptorSet is one repeated field: two serialised sets, one after the other, are the set of both.
    const file = path.join(dir, 'image.binpb');
    writeFileSync(file, Buffer.concat([readFileSync(path.join(dir, 'fraud.binpb')), readFileSync(path.join(dir, 'health.binpb'))]));
    image = file;
  }
  return image;
}

/** Runs the calls through C-core gRPC from Python, in order or all at once. */
export function probe(calls: ProbeCall[], options: { parallel?: boolean } = {}): Promise<ProbeResult[]> {
  const document = {
    descriptor_set: descriptorSet(),
    parallel: options.parallel ?? false,
    calls: calls.map(({ rawHex, readFor, ...call }) => ({ ...call, ...(rawHex === undefined ? {} : { raw_hex: rawHex }), ...(readFor === undefined ? {} : { read_for: readFor }) })),
  };
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [PROBE], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`grpc_probe.py exited ${code}: ${err}`));
      resolve((JSON.parse(out) as { results: ProbeResult[] }).results);
    });
    child.stdin.end(JSON.stringify(document));
  });
}

export const bearer = (token: string): [string, string][] => [['authorization', `Bearer ${token}`]];
