import { spawn } from 'node:child_process';
import path from 'node:path';
import { descriptorImagePath } from '@app/grpc';

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

/** proto/ and the vendored gRPC protos as compiled by buf (its own compiler, not protobufjs): the committed image. */
export function descriptorSet(): string {
  return descriptorImagePath();
}

/** Runs the calls through C-core gRPC from Python, in order or all at once. */
export async function probe(calls: ProbeCall[], options: { parallel?: boolean } = {}): Promise<ProbeResult[]> {
  const document = {
    descriptor_set: descriptorSet(),
    parallel: options.parallel ?? false,
    calls: calls.map(({ rawHex, readFor, ...call }) => ({
      ...call,
      ...(rawHex === undefined ? {} : { raw_hex: rawHex }),
      ...(readFor === undefined ? {} : { read_for: readFor }),
    })),
  };
  return (await runPython<{ results: ProbeResult[] }>(PROBE, document)).results;
}

/** Runs one of the suite's Python scripts: the document as JSON on its stdin, its stdout parsed as JSON. */
export function runPython<T>(script: string, document: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [script], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`${path.basename(script)} exited ${code}: ${err}`));
      resolve(JSON.parse(out) as T);
    });
    child.stdin.end(JSON.stringify(document));
  });
}

export const bearer = (token: string): [string, string][] => [['authorization', `Bearer ${token}`]];

/** One step of a path to a request field: its name in proto/, and whether it is repeated. */
export type FieldStep = [name: string, repeated: boolean];

export interface MethodContract {
  method: string;
  client_streaming: boolean;
  server_streaming: boolean;
  /** Every text field of the request message, nested ones included (scripts/security/describe.py). */
  text_fields: FieldStep[][];
}

/** The services' methods and their requests' text fields, as Google's protobuf runtime reads the buf image. */
export async function contracts(services: string[]): Promise<Record<string, MethodContract[]>> {
  return runPython(path.join(__dirname, 'describe.py'), { descriptor_set: descriptorSet(), services });
}

export interface HttpProbeRequest {
  method: string;
  url: string;
  headers?: [string, string][];
  body?: string;
}

/** HTTP requests from Python's standard library (scripts/security/http_probe.py). */
export async function httpProbe(requests: HttpProbeRequest[]): Promise<{ status: number; body: string }[]> {
  return (
    await runPython<{ results: { status: number; body: string }[] }>(path.join(__dirname, 'http_probe.py'), {
      requests,
    })
  ).results;
}
