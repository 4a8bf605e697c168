import path from 'node:path';
import type { Env } from '@app/config';
import { freePort } from '@app/testing';
import { ServiceProcess } from '../../../scripts/launcher/service-process';
import { waitUntilServing } from '../../../scripts/launcher/wait-serving';
import type { CarrierHarness } from './carrier-harness';

const ROOT = path.resolve(__dirname, '../../..');
const READY_TIMEOUT_MS = 60_000;

/**
 * The carrier of a stopped harness, run as a process of its own from the
 * sources (libs/testing/src/ts-register.cjs), as the launcher runs a service:
 * same database, keys, settings and address, so the harness's clients reach
 * it, and a test can kill -9 it.
 */
export class CarrierProcess {
  private constructor(
    private readonly service: ServiceProcess,
    /** Everything it wrote, line by line. */
    readonly lines: string[],
  ) {}

  /**
   * Starts the harness's carrier (the harness must be stopped) and waits until it serves, on the harness's address
   * or on `address` (another shard of the same carrier).
   */
  static async start(harness: CarrierHarness, env: Env = {}, address = harness.address): Promise<CarrierProcess> {
    const [host, port] = address.split(':');
    const lines: string[] = [];
    const service = new ServiceProcess(
      'carrier',
      process.execPath,
      ['-r', path.join(ROOT, 'libs/testing/src/ts-register.cjs'), path.join(ROOT, 'apps/carrier/src/main.ts')],
      {
        PATH: process.env.PATH,
        ...harness.env,
        GRPC_HOST: host,
        GRPC_PORT: port,
        METRICS_PORT: String(await freePort()),
        ...env,
      },
      (line) => lines.push(line),
    );
    try {
      await waitUntilServing(service, address, READY_TIMEOUT_MS, new AbortController().signal);
    } catch (error) {
      service.kill();
      throw new Error(`${(error as Error).message}:\n${lines.join('\n')}`, { cause: error });
    }
    return new CarrierProcess(service, lines);
  }

  /** Kills the process with SIGKILL and waits for it to be gone. */
  async kill(): Promise<void> {
    this.service.kill();
    await this.service.exited;
  }

  /**
   * Stops the process as an operator does, with SIGTERM (it drains and stores a last snapshot), and waits for it to
   * exit; SIGKILL if it has not within `timeoutMs`.
   */
  async stop(timeoutMs = 30_000): Promise<void> {
    await this.service.stop(timeoutMs);
  }

  output(): string {
    return this.lines.join('\n');
  }
}
