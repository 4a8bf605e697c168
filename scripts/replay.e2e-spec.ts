import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { DEFAULT_POLICY, eventLine } from '@app/domain';
import { ARTICLE_PEOPLE, FRAUD_PATTERNS } from '../libs/domain/src/carrier/fixtures';
import { parseArguments, runReplay, summary } from './replay-cli';

const ROOT = path.resolve(__dirname, '..');
const run = promisify(execFile);

describe('replay (event file → decisions)', () => {
  let workDir: string;
  let eventsFile: string;

  beforeAll(() => {
    mkdirSync(path.join(ROOT, '.data'), { recursive: true });
    workDir = mkdtempSync(path.join(ROOT, '.data', 'replay-e2e-'));
    chmodSync(workDir, 0o755);
    const fixtures = [...ARTICLE_PEOPLE, ...FRAUD_PATTERNS].map((make) => make());
    const events = fixtures
      .flatMap((f) => f.events)
      .sort((a, b) => (a.type === 'subscriber' ? -1 : 0) - (b.type === 'subscriber' ? -1 : 0) || a.at - b.at);
    const lines = events.map(eventLine);
    // One broken line and one bad number in the middle: reported with their line numbers, skipped.
    lines.splice(
      100,
      0,
      '{"type":"call",',
      '{"type":"call","at":"2024-03-02T10:00:00+08:00","caller":"１９１","callee":"13800000000"}',
    );
    eventsFile = path.join(workDir, 'events.jsonl');
    writeFileSync(eventsFile, `${lines.join('\n')}\n`);
  });
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it('prints one decision per line in the DESIGN.md format, and the same output for the same input', async () => {
    const out: string[] = [];
    const stats = await runReplay(parseArguments([eventsFile]), (chunk) => out.push(chunk));
    const lines = out.join('').trimEnd().split('\n');
    expect(lines.length).toBe(stats.decisions);
    for (const line of lines) {
      const decision = JSON.parse(line);
      expect(Object.keys(decision)).toEqual(['at', 'msisdn', 'action', 'reasons', 'score', 'policy']);
      expect(decision.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);
      expect(decision.msisdn).toMatch(/^\+86\d{11}$/);
      expect(decision.policy).toBe('default@5');
    }
    expect(lines.some((l) => JSON.parse(l).action === 'RESTRICT')).toBe(true);
    const again: string[] = [];
    await runReplay(parseArguments([eventsFile]), (chunk) => again.push(chunk));
    expect(again.join('')).toBe(out.join(''));
    expect(stats.rejected).toEqual([
      { line: 101, reason: expect.stringContaining('not JSON') },
      { line: 102, field: 'caller', reason: expect.stringContaining('is not a phone number') },
    ]);
    expect(summary(stats, DEFAULT_POLICY)).toMatch(/line 101: not JSON[\s\S]*line 102: caller: /);
  });

  it('runs naive by name and a policy document by path, and refuses a bad one naming the field', async () => {
    const naive: string[] = [];
    await runReplay(parseArguments([eventsFile, '--policy', 'naive']), (chunk) => naive.push(chunk));
    expect(naive.join('')).toContain('"policy":"naive@1"');
    const custom = path.join(workDir, 'strict.json');
    writeFileSync(custom, JSON.stringify({ ...DEFAULT_POLICY, name: 'strict', version: 7 }));
    const strict: string[] = [];
    await runReplay(parseArguments([eventsFile, '--policy', custom]), (chunk) => strict.push(chunk));
    expect(strict.join('')).toContain('"policy":"strict@7"');
    writeFileSync(
      custom,
      JSON.stringify({ ...DEFAULT_POLICY, ladder: { monitor: 0.5, warn: 0.4, restrict: 0.6, suspend: 0.8 } }),
    );
    expect(() => parseArguments([eventsFile, '--policy', custom])).toThrow('policy.ladder');
    expect(() => parseArguments([])).toThrow('an event file is required');
    expect(() => parseArguments([eventsFile, '--bogus'])).toThrow('unknown option --bogus');
  });

  it('works as a command: decisions on stdout, the summary on stderr', async () => {
    const dist = path.join(workDir, 'dist');
    await run(
      process.execPath,
      [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', dist],
      { cwd: ROOT },
    );
    const { stdout, stderr } = await run(
      process.execPath,
      [path.join(dist, 'scripts', 'replay.js'), eventsFile, '--policy', 'naive'],
      { cwd: ROOT },
    );
    expect(
      stdout
        .trimEnd()
        .split('\n')
        .every((l) => JSON.parse(l).policy === 'naive@1'),
    ).toBe(true);
    expect(stderr).toMatch(/replay: \d+ events from \d+ lines in [\d.]+ s \(\d+ events\/s\), policy naive@1/);
    await expect(run(process.execPath, [path.join(dist, 'scripts', 'replay.js')], { cwd: ROOT })).rejects.toMatchObject(
      { code: 2, stderr: expect.stringContaining('usage:') },
    );
  });
});
