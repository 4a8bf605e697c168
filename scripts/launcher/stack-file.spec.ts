import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { launchPlan } from './plan';
import { addressVariable, removeStackFile, stackFile, writeStackFile } from './stack-file';

describe('stack file', () => {
  const plan = launchPlan({ CARRIER_IDS: 'CMCC,CTCC', REGISTRY_PORT: '51051' }).flat();
  const services = plan.map((p) => ({ plan: p, address: `127.0.0.1:${p.port}` }));
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(path.join(tmpdir(), 'stack-file-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('names each address by the variable fraudctl reads for it', () => {
    expect(plan.map(addressVariable)).toEqual([
      'REGISTRY_ADDRESS',
      'ADMIN_ADDRESS',
      'CARRIER_CMCC_ADDRESS',
      'CARRIER_CTCC_ADDRESS',
    ]);
  });

  it('holds the addresses, the dashboard, the key folder and plaintext (no CA)', () => {
    const stack = stackFile({
      pid: 4242,
      startedAt: new Date('2026-12-06T12:00:00Z'),
      services,
      dashboard: 'http://127.0.0.1:8080/',
      keyDir: 'relative/keys',
    });
    expect(stack).toEqual({
      version: 1,
      pid: 4242,
      startedAt: '2026-12-06T12:00:00.000Z',
      tls: false,
      addresses: {
        REGISTRY_ADDRESS: '127.0.0.1:51051',
        ADMIN_ADDRESS: '127.0.0.1:50052',
        CARRIER_CMCC_ADDRESS: '127.0.0.1:50061',
        CARRIER_CTCC_ADDRESS: '127.0.0.1:50063',
      },
      dashboard: 'http://127.0.0.1:8080/',
      keyDir: path.resolve('relative/keys'),
      caFile: null,
    });
  });

  it('records each carrier run as shards: its shards in order, its address that of shard 0', () => {
    const sharded = launchPlan({ CARRIER_IDS: 'CMCC,CTCC', CARRIER_SHARDS: '2' })
      .flat()
      .map((p) => ({ plan: p, address: `127.0.0.1:${p.port}` }));
    const stack = stackFile({
      pid: 4242,
      startedAt: new Date('2026-12-06T12:00:00Z'),
      services: sharded,
      dashboard: 'http://127.0.0.1:8080/',
      keyDir: '/k',
    });
    expect(stack).toEqual({
      version: 1,
      pid: 4242,
      startedAt: '2026-12-06T12:00:00.000Z',
      tls: false,
      addresses: {
        REGISTRY_ADDRESS: '127.0.0.1:50051',
        ADMIN_ADDRESS: '127.0.0.1:50052',
        CARRIER_CMCC_ADDRESS: '127.0.0.1:50061',
        CARRIER_CTCC_ADDRESS: '127.0.0.1:50063',
      },
      dashboard: 'http://127.0.0.1:8080/',
      keyDir: '/k',
      caFile: null,
      shards: {
        CMCC: [
          { address: '127.0.0.1:50061', metricsPort: 9471 },
          { address: '127.0.0.1:50161', metricsPort: 9571 },
        ],
        CTCC: [
          { address: '127.0.0.1:50063', metricsPort: 9473 },
          { address: '127.0.0.1:50163', metricsPort: 9573 },
        ],
      },
    });
    // The order the processes came up in does not matter.
    expect(stackFile({ pid: 1, startedAt: new Date(0), services: [...sharded].reverse(), keyDir: '/k' })).toEqual({
      ...stack,
      pid: 1,
      startedAt: new Date(0).toISOString(),
      dashboard: null,
    });
  });

  it('has no shards without CARRIER_SHARDS', () => {
    expect(stackFile({ pid: 1, startedAt: new Date(0), services, keyDir: '/k' })).not.toHaveProperty('shards');
  });

  it('says TLS and gives the CA as an absolute path when there is one', () => {
    const stack = stackFile({ pid: 1, startedAt: new Date(0), services, keyDir: '/k', caFile: 'certs/ca.pem' });
    expect(stack).toMatchObject({ tls: true, caFile: path.resolve('certs/ca.pem'), dashboard: null });
  });

  it('is written whole under the data folder (no partial file left) and removed again', () => {
    const stack = stackFile({ pid: 1, startedAt: new Date(0), services, keyDir: '/k' });
    const file = writeStackFile(dataDir, stack);
    expect(file).toBe(path.join(dataDir, 'stack.json'));
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(stack);
    expect(readdirSync(dataDir)).toEqual(['stack.json']);

    writeStackFile(dataDir, { ...stack, pid: 2 });
    expect(JSON.parse(readFileSync(file, 'utf8')).pid).toBe(2);

    removeStackFile(file);
    expect(existsSync(file)).toBe(false);
    expect(() => removeStackFile(file)).not.toThrow();
  });
});
