import { Client } from 'pg';
import { TcpProxy } from '@app/testing';
import { numbers, RegistryHarness } from '../../apps/registry/test/registry-harness';
import { bearer, probe, type ProbeCall } from './probe';

const REGISTRY = 'fraud.registry.v1.RegistryService';

async function asOwner(url: string, ...statements: string[]): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
}

describe('audit integrity, seen from an independent client (C-core gRPC from Python)', () => {
  let registry: RegistryHarness;
  const call = (method: string, request: unknown, role?: string): ProbeCall => ({
    target: registry.address,
    method: `${REGISTRY}/${method}`,
    request,
    ...(role ? { metadata: bearer(registry.token(role, `${role}-sec`)) } : {}),
  });

  beforeAll(async () => {
    registry = await RegistryHarness.start();
  });
  afterAll(() => registry.close());

  it('a call refused for NULs in number and purpose is audited, escaped, as are the calls sent with it', async () => {
    const [msisdn] = numbers(1, 9500);
    const results = await probe(
      [
        call('GetNumberRecord', { msisdn: '1911234\u00005678', purpose: 'nul\u0000purpose' }, 'police'),
        ...Array.from({ length: 8 }, (_, i) =>
          call('GetNumberRecord', { msisdn, purpose: `beside the NUL ${i}` }, 'police'),
        ),
      ],
      { parallel: true },
    );
    expect(results[0].code).toBe('INVALID_ARGUMENT');
    expect(results.slice(1).map((r) => r.code)).toEqual(Array(8).fill('OK'));
    const [listed] = await probe([
      call('ListAuditEvents', { actor: 'police-sec', page: { page_size: 100 } }, 'auditor'),
    ]);
    const events = (listed.response?.events ?? []) as { target: string; purpose: string; outcome: string }[];
    expect(events).toContainEqual(
      expect.objectContaining({
        target: '1911234\\u00005678',
        purpose: 'nul\\u0000purpose',
        outcome: 'INVALID_ARGUMENT',
      }),
    );
    expect(events.filter((e) => e.purpose.startsWith('beside the NUL'))).toHaveLength(8);
    // Either form of the number finds its lines.
    const [byNational] = await probe([
      call('ListAuditEvents', { target: msisdn.slice(3), page: { page_size: 100 } }, 'auditor'),
    ]);
    expect((byNational.response?.events as unknown[]).length).toBe(8);
  });

  it('deleting the newest audit lines as the owner, trigger off, is reported by VerifyAuditChain', async () => {
    const [first] = await probe([call('VerifyAuditChain', {}, 'auditor')]);
    expect(first.response).toMatchObject({ intact: true });
    const head = Number((first.response!.anchor_published as { head_id: string }).head_id);
    await asOwner(
      registry.db.url,
      'ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_change',
      `DELETE FROM audit_event WHERE id > ${head - 2}`,
      'ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_change',
    );
    const [after] = await probe([call('VerifyAuditChain', {}, 'auditor')]);
    expect(after.response).toMatchObject({
      fault: 'AUDIT_CHAIN_FAULT_ROWS_MISSING',
      missing_after_id: String(head - 2),
    });
    expect(after.response!.intact ?? false).toBe(false);
  });
});

describe('health, seen from an independent client', () => {
  let proxy: TcpProxy;
  let registry: RegistryHarness;

  beforeAll(async () => {
    proxy = await TcpProxy.toTestDatabaseServer();
    registry = await RegistryHarness.start({
      env: { DATABASE_HEALTH_INTERVAL_MS: '200' },
      reach: (url) => proxy.through(url),
    });
  });
  afterAll(async () => {
    await proxy.restore();
    await registry.close();
    await proxy.close();
  });

  const check = async (): Promise<string> => {
    const [answer] = await probe([
      { target: registry.address, method: 'grpc.health.v1.Health/Check', request: { service: REGISTRY } },
    ]);
    return (answer.response?.status as string) ?? answer.code;
  };
  const until = async (want: string): Promise<string> => {
    const deadline = Date.now() + 20_000;
    let got = await check();
    while (got !== want && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      got = await check();
    }
    return got;
  };

  it('says NOT_SERVING while the database is cut off, SERVING once it is back', async () => {
    expect(await check()).toBe('SERVING');
    await proxy.cut();
    expect(await until('NOT_SERVING')).toBe('NOT_SERVING');
    await proxy.restore();
    expect(await until('SERVING')).toBe('SERVING');
  });
});
