import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_POLICY } from '@app/domain';
import { HelpRequested } from './cli-help';
import { parseArguments, runReplay } from './replay-cli';
import { parseSimulateArguments, Progress, runSimulate, simulatedPopulation, UsageError, USAGE } from './simulate-cli';

describe('simulate arguments', () => {
  it('has defaults and reads every option', () => {
    expect(parseSimulateArguments(['--out', 'e.jsonl'])).toEqual({
      subscribers: 100_000,
      days: 3,
      seed: 1,
      out: 'e.jsonl',
    });
    // No address named: carrierTargets finds them.
    expect(parseSimulateArguments(['--subscribers', '500', '--days', '2', '--seed', '9', '--carriers'])).toEqual({
      subscribers: 500,
      days: 2,
      seed: 9,
      carriers: {},
    });
    expect(parseSimulateArguments(['--carriers', '--json']).json).toBe(true);
    expect(parseSimulateArguments(['--carriers', '--address', 'CTCC=localhost:7000']).carriers).toEqual({
      CTCC: 'localhost:7000',
    });
  });

  it.each([
    [[], /--out FILE or --carriers/],
    [['--out', 'x', '--carriers'], /not both/],
    [['--out'], /--out needs a file name/],
    [['--out', 'x', '--days', '0'], /--days needs a whole number of at least 1/],
    [['--out', 'x', '--subscribers', 'lots'], /--subscribers needs a whole number/],
    [['--carriers', '--address', 'CBN=h:1'], /--address needs/],
    [['--out', 'x', '--address', 'CTCC=h:1'], /--address goes with --carriers/],
    [['--out', 'x', '--frobnicate'], /unknown argument --frobnicate/],
    [['--out', 'x', '--json'], /--json goes with --carriers/],
    [['--out', 'x', '--start', 'yesterday'], /--start needs now, a date/],
    [['--out', 'x', '--start'], /--start needs now, a date .* got nothing/],
    [['--out', 'x', '--start', '2026-13-45'], /--start needs/],
  ])('rejects %j with exit code 2 and the usage', (argv, message) => {
    let error: unknown;
    try {
      parseSimulateArguments(argv as string[]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain('usage: npm run --silent simulate');
  });
});

describe('--help', () => {
  it('answers simulate --help and replay --help with the usage, not as a usage error', () => {
    for (const argv of [['--help'], ['--out', 'x', '-h']])
      expect(() => parseSimulateArguments(argv)).toThrow(
        expect.objectContaining({ constructor: HelpRequested, message: USAGE }) as Error,
      );
    expect(() => parseArguments(['--help'])).toThrow(HelpRequested);
    expect(() => parseArguments(['--frobnicate'])).toThrow(/unknown option --frobnicate/);
  });
});

describe('simulate --start', () => {
  const now = Date.parse('2026-12-06T11:45:30Z'); // 19:45:30 in Beijing

  it('ends the simulated days at the wall clock with now, to the minute, in China Standard Time', () => {
    expect(parseSimulateArguments(['--out', 'x', '--start', 'now'], now).start).toBe('2026-12-03T19:45');
    // --days counts wherever it stands.
    expect(parseSimulateArguments(['--out', 'x', '--start', 'now', '--days', '1'], now).start).toBe('2026-12-05T19:45');
  });

  it('reads a date, a Beijing time and a time with an offset', () => {
    expect(parseSimulateArguments(['--out', 'x', '--start', '2026-12-01'], now).start).toBe('2026-12-01T00:00');
    expect(parseSimulateArguments(['--out', 'x', '--start', '2026-12-01T08:30'], now).start).toBe('2026-12-01T08:30');
    expect(parseSimulateArguments(['--out', 'x', '--start', '2026-12-01T00:00Z'], now).start).toBe('2026-12-01T08:00');
    expect(parseSimulateArguments(['--out', 'x', '--start', '2026-12-01T09:00:00+09:00'], now).start).toBe(
      '2026-12-01T08:00',
    );
  });

  it('dates every event of --start now before the wall clock, the traffic within the last simulated days', () => {
    const args = parseSimulateArguments(['--out', 'x', '--subscribers', '300', '--days', '2', '--start', 'now'], now);
    const timed = simulatedPopulation(args).events.filter((e) => e.type !== 'subscriber');
    const latest = Math.max(...timed.map((e) => e.at));
    expect(latest).toBeLessThanOrEqual(now);
    expect(latest).toBeGreaterThan(now - 6 * 3_600_000);
  });
});

describe('simulate --out', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), 'simulate-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const sink = { write: () => true };

  it('writes events replay can read and labels consistent with them, the same for the same seed', async () => {
    const file = path.join(dir, 'a.jsonl');
    const result = await runSimulate(
      parseSimulateArguments(['--subscribers', '2000', '--days', '1', '--seed', '5', '--out', file]),
      sink,
    );
    expect(result.labelsFile).toBe(`${file}.labels.json`);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines.length).toBe(result.events);

    const stats = await runReplay({ file, policy: DEFAULT_POLICY }, () => undefined);
    expect(stats.rejected).toEqual([]);
    expect(stats.events).toBe(result.events);
    expect(stats.outOfOrder).toBe(0);

    const labels = JSON.parse(readFileSync(`${file}.labels.json`, 'utf8'));
    expect(Object.keys(labels.fraudByPattern).sort()).toEqual(
      [
        'burst',
        'fake_courier',
        'high_risk_cell',
        'new_number_burst',
        'reported_low_volume',
        'sequential_dialler',
        'sms_blaster',
        'threshold_prober',
        'wangiri',
      ].sort(),
    );
    expect(Object.keys(labels.heavyByKind).sort()).toEqual(
      ['courier', 'declared_courier', 'driver', 'enterprise', 'new_number_busy_day', 'rider', 'tourist'].sort(),
    );
    expect(labels.falseReportVictims.length).toBeGreaterThan(0);
    expect(labels.falseReporters.length).toBeGreaterThanOrEqual(10);
    expect(labels.probers.length).toBeGreaterThan(0);
    expect(Object.keys(labels.subscribersByCarrier).sort()).toEqual(['CMCC', 'CTCC', 'CUCC']);

    // Labels agree with the events.
    const events = lines.map((l) => JSON.parse(l));
    const subscribers = new Map(events.filter((e) => e.type === 'subscriber').map((e) => [e.msisdn, e]));
    const active = new Set(
      events.flatMap((e) => [e.caller, e.sender, e.msisdn].filter((m) => m && e.type !== 'subscriber')),
    );
    const fraudUnion = Object.values(labels.fraudByPattern as Record<string, string[]>).flat();
    expect(new Set(fraudUnion)).toEqual(new Set(labels.fraud));
    expect(new Set(Object.values(labels.heavyByKind as Record<string, string[]>).flat())).toEqual(
      new Set(labels.heavy),
    );
    for (const m of [...labels.fraud, ...labels.heavy, ...labels.falseReportVictims, ...labels.probers]) {
      expect(subscribers.has(m)).toBe(true);
      // The original population's burst callers rest on about half of the days.
      if (!labels.fraudByPattern.burst.includes(m)) expect(active.has(m)).toBe(true);
    }
    for (const m of labels.fraud) expect(labels.heavy).not.toContain(m);
    // False reporters report a victim who never called them, and never called the victim.
    const calls = new Set(
      events.filter((e) => e.type === 'call').flatMap((e) => [`${e.caller}>${e.callee}`, `${e.callee}>${e.caller}`]),
    );
    const falseReports = events.filter((e) => e.type === 'report' && labels.falseReportVictims.includes(e.reported));
    expect(falseReports.length).toBe(labels.falseReporters.length);
    for (const r of falseReports) expect(calls.has(`${r.reporter}>${r.reported}`)).toBe(false);
    // Subscriber records name the carrier of the segment.
    for (const [m, s] of subscribers) if (/^(135|150)/.test(m)) expect(s.carrier).toBe('CMCC');
    for (const [m, s] of subscribers) if (/^(130|185)/.test(m)) expect(s.carrier).toBe('CUCC');
    for (const [m, s] of subscribers) if (/^(133|199)/.test(m)) expect(s.carrier).toBe('CTCC');
    // Probers stay at 8 calls in any 10 minutes.
    for (const p of labels.probers) {
      const times = events.filter((e) => e.type === 'call' && e.caller === p).map((e) => Date.parse(e.at));
      expect(times.length).toBeGreaterThan(50);
      for (let i = 8; i < times.length; i++) expect(times[i] - times[i - 8]).toBeGreaterThanOrEqual(10 * 60_000);
    }

    const again = path.join(dir, 'b.jsonl');
    await runSimulate(
      parseSimulateArguments(['--subscribers', '2000', '--days', '1', '--seed', '5', '--out', again]),
      sink,
    );
    expect(readFileSync(again, 'utf8')).toBe(readFileSync(file, 'utf8'));
    expect(readFileSync(`${again}.labels.json`, 'utf8')).toBe(readFileSync(`${file}.labels.json`, 'utf8'));
    const other = path.join(dir, 'c.jsonl');
    await runSimulate(
      parseSimulateArguments(['--subscribers', '2000', '--days', '1', '--seed', '6', '--out', other]),
      sink,
    );
    expect(readFileSync(other, 'utf8')).not.toBe(readFileSync(file, 'utf8'));
  });
});

describe(Progress.name, () => {
  it('updates one line on a TTY and prints periodic lines otherwise', () => {
    let t = 0;
    const tty: string[] = [];
    const p = new Progress(1000, { write: (c: string) => tty.push(c), isTTY: true }, () => t);
    t = 1000;
    p.update(500);
    expect(tty[0]).toMatch(/^\r.*50\.0% 500\/1,000 events, 500 events\/s, ETA 1 s/);
    expect(tty[0]).not.toContain('\n');
    p.update(510); // too soon
    expect(tty).toHaveLength(1);
    const plain: string[] = [];
    const q = new Progress(1000, { write: (c: string) => plain.push(c), isTTY: false }, () => t);
    t = 2000;
    q.update(100);
    t = 8000;
    q.update(400);
    q.done(1000);
    expect(plain).toHaveLength(2);
    expect(plain.every((l) => l.endsWith('\n') && !l.startsWith('\r'))).toBe(true);
    expect(plain[1]).toContain('100.0%');
  });

  it('counts what the carriers answered, accepted apart from duplicate, late and refused', () => {
    const p = new Progress(1000, { write: () => true }, () => 1000);
    expect(p.line(400, { accepted: 300, duplicates: 2, late: 1234, rejected: 5 })).toMatch(
      /40\.0% 400\/1,000 events.*; carriers' answers 300 accepted, 2 duplicate, 1,234 late, 5 refused$/,
    );
  });
});
