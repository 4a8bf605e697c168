import { spawn } from 'node:child_process';
import { settle } from './settle';

describe('settle: waits until a process is idle', () => {
  const run = (args: string[]) => spawn(process.execPath, args, { stdio: 'ignore' });

  it('answers soon for a process that does nothing', async () => {
    const child = run(['-e', 'setTimeout(() => undefined, 20_000)']);
    try {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const waited = await settle(child.pid!, 10_000);
      expect(waited).toBeLessThan(5_000);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('waits until the time is up for a process that keeps a core busy', async () => {
    const child = run(['-e', 'for (;;) {}']);
    try {
      const waited = await settle(child.pid!, 1_500);
      expect(waited).toBeGreaterThanOrEqual(1_500);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
