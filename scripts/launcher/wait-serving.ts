import { healthCheck } from '@app/testing';
import { describeExit, type ServiceProcess } from './service-process';

const POLL_MS = 200;
const PROBE_TIMEOUT_MS = 1000;

export class StartupError extends Error {
  constructor(
    readonly service: ServiceProcess,
    message: string,
  ) {
    super(`${service.name} ${message}`);
    this.name = 'StartupError';
  }
}

/**
 * Resolves once grpc.health.v1 reports the server SERVING at `address`, or when
 * `cancel` is aborted; rejects if the process exits first or time runs out.
 */
export async function waitUntilServing(
  service: ServiceProcess,
  address: string,
  timeoutMs: number,
  cancel: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cancel.aborted) {
    const exit = service.exitStatus;
    if (exit) throw new StartupError(service, `exited during start-up (${describeExit(exit)})`);
    if (await isServing(address)) return;
    if (Date.now() > deadline)
      throw new StartupError(service, `was not SERVING on ${address} within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function isServing(address: string): Promise<boolean> {
  try {
    return (await healthCheck(address, '', undefined, PROBE_TIMEOUT_MS)) === 'SERVING';
  } catch {
    return false; // not listening yet
  }
}
