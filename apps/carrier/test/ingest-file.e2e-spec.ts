import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { eventLine } from '@app/domain';
import { FRAUD_PATTERNS } from '../../../libs/domain/src/carrier/fixtures';
import { CarrierHarness } from './carrier-harness';

const ROOT = path.resolve(__dirname, '../../..');
const run = promisify(execFile);

describe('npm run ingest: an event file into a running carrier', () => {
  let carrier: CarrierHarness;
  let workDir: string;

  beforeAll(async () => {
    carrier = await CarrierHarness.start('CTCC');
    mkdirSync(path.join(ROOT, '.data'), { recursive: true });
    workDir = mkdtempSync(path.join(ROOT, '.data', 'ingest-e2e-'));
    chmodSync(workDir, 0o755);
    await run(
      process.execPath,
      [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', path.join(workDir, 'dist')],
      { cwd: ROOT },
    );
  });
  afterAll(async () => {
    await carrier.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('streams each line it can, skips what travels another way, reports malformed ones; decisions stored', async () => {
    const events = FRAUD_PATTERNS.map((make) => make())
      .flatMap((f) => f.events)
      .sort((a, b) => a.at - b.at);
    const lines = events.map(eventLine);
    lines.splice(10, 0, '{"type":"call","at":"not a time"}');
    const file = path.join(workDir, 'events.jsonl');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const { stdout, stderr } = await run(
      process.execPath,
      [
        path.join(workDir, 'dist', 'scripts', 'ingest-file.js'),
        file,
        '--carrier',
        'CTCC',
        '--address',
        carrier.address,
        '--token',
        carrier.token('carrier:CTCC'),
      ],
      { cwd: ROOT, env: { ...process.env, GRPC_INSECURE: 'true' } },
    );
    const highRisk = events.filter((e) => e.type === 'high_risk_cell').length;
    const response = JSON.parse(stdout);
    expect(response).toMatchObject({ accepted: events.length - highRisk, rejected: 0 });
    expect(response.decisions).toBeGreaterThan(0);
    expect(stderr).toContain(`${highRisk} not for IngestEvents, 1 malformed lines`);
    expect(stderr).toMatch(/skipped line 11: at: must be an RFC 3339 time/);
    const pg = new Client({ connectionString: carrier.db.url });
    await pg.connect();
    try {
      const { rows } = await pg.query(
        `SELECT count(*)::int AS n FROM decision WHERE action IN ('RESTRICT', 'SUSPEND') AND NOT shadow`,
      );
      expect(rows[0].n).toBeGreaterThanOrEqual(5);
    } finally {
      await pg.end();
    }
  });

  it('refuses to run without a file and a carrier', async () => {
    await expect(
      run(process.execPath, [path.join(workDir, 'dist', 'scripts', 'ingest-file.js')], { cwd: ROOT }),
    ).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('usage:'),
    });
  });
});
