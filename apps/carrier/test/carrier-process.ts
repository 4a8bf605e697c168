import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Env } from '@app/config';
import { freePort, healthCheck } from '@app/testing';
import type { CarrierHarness } from './carrier-harness';

const ROOT = path.resolve(__dirname, '../../..');
const READY_TIMEOUT_MS = 60_000;

/**
 * The carrier of a stopped harness, run as a process of its own from the
 * sources (libs/testing/src/ts-register.cjs): same database, keys, settings
 * and address, so the harness's clients reach it, and a test can kill -9 it.
 */
export class CarrierProcess {
  readonly lines: string[] = [];
  readonly exited: Promise<number | NodeJS.Signals | null>;

  private constructor(private readonly child: ChildProcess) {
    for (const stream of [child.stdout!, child.stderr!])
      createInterface({ input: stream }).on('line', (line) => this.lines.push(line));
    this.exited = new Promise((resolve) => child.once('close', (code, signal) => resolve(code ?? signal)));
  }

  /** Starts the harness's carrier (the harness must be stopped) and waits until it serves. */
  static async start(harness: CarrierHarness, env: Env = {}): Promise<CarrierProcess> {
    const [host, port] = harness.address.split(':');
    const child = spawn(
      process.execPath,
      ['-r', path.join(ROOT, 'libs/testing/src/ts-register.cjs'), path.join(ROOT, 'apps/carrier/src/main.ts')],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH,
          ...harness.env,
          GRPC_HOST: host,
          GRPC_PORT: port,
          METRICS_PORT: String(await freePort()),
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const running = new CarrierProcess(child);
    await running.serving(harness.address);
    return running;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Resolves once the process answers health SERVING; fails with its output if it exits first. */
  private async serving(address: string): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let exit: number | NodeJS.Signals | null | undefined;
    void this.exited.then((status) => (exit = status));
    for (;;) {
      if (exit !== undefined) throw new Error(`the carrier exited (${exit}) before serving:\n${this.output()}`);
      if (Date.now() > deadline) throw new Error(`not serving within ${READY_TIMEOUT_MS / 1000} s:\n${this.output()}`);
      const status = await healthCheck(address, '', undefined, 1000).catch(() => 'DOWN');
      if (status === 'SERVING') return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Kills the process (SIGKILL unless told) and waits for it to be gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    this.child.kill(signal);
    await this.exited;
  }

  output(): string {
    return this.lines.join('\n');
  }
}
