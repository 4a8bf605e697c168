/**
 * What h2load needs to speak gRPC: a request body in gRPC's length-prefixed
 * framing, and its per-request log read back. Pure, unit-tested in bench.spec.ts.
 */

/** One uncompressed gRPC message: flag byte 0, 4-byte big-endian length, the protobuf bytes. */
export function grpcFrame(message: Uint8Array): Buffer {
  const frame = Buffer.alloc(5 + message.length);
  frame.writeUInt8(0, 0);
  frame.writeUInt32BE(message.length, 1);
  frame.set(message, 5);
  return frame;
}

/** The messages of a gRPC body (several frames back to back); throws on a compressed or truncated frame. */
export function grpcUnframe(body: Uint8Array): Buffer[] {
  const buffer = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const messages: Buffer[] = [];
  for (let at = 0; at < buffer.length;) {
    if (buffer.length - at < 5) throw new Error(`truncated gRPC frame header at byte ${at}`);
    if (buffer[at] !== 0) throw new Error(`compressed gRPC frame at byte ${at}`);
    const length = buffer.readUInt32BE(at + 1);
    if (at + 5 + length > buffer.length)
      throw new Error(`truncated gRPC message at byte ${at}: ${length} bytes announced`);
    messages.push(buffer.subarray(at + 5, at + 5 + length));
    at += 5 + length;
  }
  return messages;
}

export interface H2loadRequest {
  /** When the request started, microseconds since the Unix epoch. */
  startUs: number;
  /** HTTP status; gRPC answers 200 even for errors (its status is in the trailers). */
  status: number;
  /** Until the end of the response, microseconds. */
  durationUs: number;
}

/**
 * h2load's `--log-file`: one request per line, tab-separated start time
 * (µs since the epoch), HTTP status, duration (µs). Blank lines are skipped;
 * anything else that does not parse is an error naming its line.
 */
export function parseH2loadLog(text: string): H2loadRequest[] {
  const requests: H2loadRequest[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const fields = line.trim().split('\t');
    const [startUs, status, durationUs] = fields.map(Number);
    if (fields.length !== 3 || ![startUs, status, durationUs].every(Number.isFinite))
      throw new Error(`h2load log line ${i + 1} is not "start<TAB>status<TAB>duration": ${line}`);
    requests.push({ startUs, status, durationUs });
  });
  return requests;
}

/**
 * The counters h2load prints:
 * `requests: 100 total, 100 started, 100 done, 98 succeeded, 2 failed, 0 errored, 0 timeout`.
 */
export interface H2loadSummary {
  total: number;
  done: number;
  succeeded: number;
  failed: number;
  errored: number;
  timeout: number;
  /** From `finished in 10.00s, 4999.80 req/s, 1.02MB/s`. */
  rate: number;
}

/** h2load's counters (`requests: 100 total, 100 started, 100 done, 98 succeeded, …`) and its rate line. */
export function parseH2loadSummary(output: string): H2loadSummary | undefined {
  const match = new RegExp(
    String.raw`requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, ` +
      String.raw`(\d+) failed, (\d+) errored, (\d+) timeout`,
  ).exec(output);
  const finished = /finished in [\d.]+m?s, ([\d.]+) req\/s/.exec(output);
  if (!match || !finished) return undefined;
  const [, total, , done, succeeded, failed, errored, timeout] = match.map(Number);
  return { total, done, succeeded, failed, errored, timeout, rate: Number(finished[1]) };
}
