import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

const KEPT_LINES = 30;

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One service as a child process: its output line by line, and its last lines kept for a failure report. */
export class ServiceProcess {
  readonly exited: Promise<ProcessExit>;
  private readonly child: ChildProcess;
  private readonly recent: string[] = [];
  private exit: ProcessExit | undefined;

  constructor(
    readonly name: string,
    command: string,
    args: string[],
    env: NodeJS.ProcessEnv,
    onLine: (line: string) => void,
  ) {
    // Its own process group: a terminal's Ctrl-C reaches only the launcher, which stops the services in order.
    this.child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
        this.recent.push(line);
        if (this.recent.length > KEPT_LINES) this.recent.shift();
        onLine(line);
      });
    }
    // 'close', not 'exit': by then every line it wrote has been read.
    this.exited = new Promise((resolve) => {
      this.child.once('error', (error) => this.recent.push(`cannot run ${command}: ${error.message}`));
      this.child.once('close', (code, signal) => resolve((this.exit = { code, signal })));
    });
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  get exitStatus(): ProcessExit | undefined {
    return this.exit;
  }

  lastLines(): string[] {
    return [...this.recent];
  }

  /** SIGTERM (the service drains), then SIGKILL if it has not exited within `timeoutMs`. */
  async stop(timeoutMs: number): Promise<ProcessExit> {
    if (this.exit) return this.exit;
    this.child.kill('SIGTERM');
    const escalate = setTimeout(() => this.kill(), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(escalate);
    }
  }

  kill(): void {
    if (!this.exit) this.child.kill('SIGKILL');
  }
}

export function describeExit(exit: ProcessExit): string {
  return exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
}
