import { createGrpcClient, unary } from '@app/grpc';
import { grpcFrame } from './grpc-frame';
import { runH2load, type H2loadResult } from './h2load';
import { encodeRequest } from './proto-methods';
import { summarise } from './stats';

export const CHECK_CALL_PATH = '/fraud.carrier.v1.CarrierService/CheckCall';

export interface CallLoad {
  /** `sequential`, `1000/s`, `max`. */
  label: string;
  /** Requests per second asked for; undefined: one in flight, or as fast as it goes. */
  rate?: number;
  result: H2loadResult;
}

/** h2load settings for a target rate: at most 500 requests/s per client, 4 streams each. */
export function clientsForRate(rate: number): { clients: number; rpsPerClient: number } {
  const clients = Math.max(1, Math.ceil(rate / 500));
  return { clients, rpsPerClient: Math.max(1, Math.round(rate / clients)) };
}

/** The CheckCall body h2load sends: one gRPC frame. */
export function checkCallBody(caller: string, callee: string): Buffer {
  return grpcFrame(
    encodeRequest('fraud/carrier/v1/carrier.proto', 'fraud.carrier.v1.CarrierService', 'CheckCall', { caller, callee }),
  );
}

/** One in flight, then each fixed rate, then as fast as h2load can (8 clients × 16 streams). */
export async function callLoads(
  address: string,
  token: string,
  body: Buffer,
  rates: number[],
  seconds: number,
  sequentialRequests: number,
): Promise<CallLoad[]> {
  const url = `http://${address}${CHECK_CALL_PATH}`;
  const loads: CallLoad[] = [];
  // Warm-up, not measured: one flat-out round, as long as a measured one. A server's rate still climbed by a fifth
  // from its first flat-out round to its third after 5,000 calls of warm-up (its JIT, its young generation).
  await maxLoad(address, token, body, seconds);
  loads.push({
    label: 'sequential',
    result: await runH2load({ url, body, token, clients: 1, streams: 1, requests: sequentialRequests }),
  });
  for (const rate of rates) {
    const { clients, rpsPerClient } = clientsForRate(rate);
    loads.push({
      label: `${rate}/s`,
      rate,
      result: await runH2load({ url, body, token, clients, streams: 4, rpsPerClient, seconds }),
    });
  }
  loads.push({ label: 'max', result: await maxLoad(address, token, body, seconds) });
  return loads;
}

/** As many calls as h2load gets answered in `seconds`: 8 clients, 16 streams each. */
export function maxLoad(address: string, token: string, body: Buffer, seconds: number): Promise<H2loadResult> {
  return runH2load({ url: `http://${address}${CHECK_CALL_PATH}`, body, token, clients: 8, streams: 16, seconds });
}

/** Without h2load: one grpc-js client, one call in flight (the latency), then 64 in flight (the rate). */
export async function callLoadsWithGrpcJs(
  address: string,
  token: string,
  caller: string,
  callee: string,
  seconds: number,
  sequentialRequests: number,
): Promise<CallLoad[]> {
  const client = createGrpcClient('fraud.carrier.v1.CarrierService', 'fraud/carrier/v1/carrier.proto', address, {
    token,
  });
  try {
    const request = { caller, callee };
    for (let i = 0; i < 1000; i++) await unary(client, 'checkCall', request);
    const sequential: number[] = [];
    const started = performance.now();
    for (let i = 0; i < sequentialRequests; i++) {
      const t = performance.now();
      await unary(client, 'checkCall', request);
      sequential.push(performance.now() - t);
    }
    const sequentialSeconds = (performance.now() - started) / 1000;
    const max: number[] = [];
    const until = performance.now() + seconds * 1000;
    const maxStarted = performance.now();
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (performance.now() < until) {
          const t = performance.now();
          await unary(client, 'checkCall', request);
          max.push(performance.now() - t);
        }
      }),
    );
    const maxSeconds = (performance.now() - maxStarted) / 1000;
    const result = (samples: number[], s: number): H2loadResult => ({
      requests: samples.length,
      succeeded: samples.length,
      rate: samples.length / s,
      latencyMs: summarise(samples),
    });
    return [
      { label: 'sequential', result: result(sequential, sequentialSeconds) },
      { label: 'max (one grpc-js client)', result: result(max, maxSeconds) },
    ];
  } finally {
    client.close();
  }
}
