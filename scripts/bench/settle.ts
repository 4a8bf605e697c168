import { readFileSync } from 'node:fs';

/** Share of one core a process may use and still count as idle. */
const IDLE_SHARE = 0.05;
const SAMPLE_MS = 500;

/** The CPU time (user + system) a process has used, in clock ticks (/proc/<pid>/stat fields 14 and 15). */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/**
 * Waits until a service is idle: two samples in a row using under 5% of a
 * core. After a large ingest a carrier still collects its garbage and drains
 * its outbox for a while; a figure measured meanwhile would measure that. Gives
 * up after `timeoutMs`; resolves with how long it waited, or undefined where
 * /proc cannot be read (not Linux).
 */
export async function settle(pid: number, timeoutMs = 60_000): Promise<number | undefined> {
  const ticksPerMs = 100 / 1000; // USER_HZ is 100 on Linux
  const started = Date.now();
  let before: number;
  try {
    before = cpuTicks(pid);
  } catch {
    return undefined;
  }
  let quiet = 0;
  while (Date.now() - started < timeoutMs) {
    await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
    const now = cpuTicks(pid);
    const share = (now - before) / (SAMPLE_MS * ticksPerMs);
    before = now;
    quiet = share < IDLE_SHARE ? quiet + 1 : 0;
    if (quiet === 2) break;
  }
  return Date.now() - started;
}
