import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Metadata, status as GrpcCode, type ServiceError } from '@grpc/grpc-js';
import type { registry } from '@app/contracts';
import { parseExposition } from '@app/testing';
import { aFlag, numbers, RegistryHarness } from './registry-harness';

/** The value of one series in a text exposition, 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('registry observability (metrics and request ids)', () => {
  let harness: RegistryHarness;

  beforeAll(async () => {
    harness = await RegistryHarness.start();
  });
  afterAll(() => harness?.close());

  const scrape = async (): Promise<string> => {
    const response = await fetch(harness.metricsUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    return response.text();
  };

  it('serves fraud_build_info = 1 with the package version, the commit and the Node.js version', async () => {
    const version = (
      JSON.parse(readFileSync(path.join(__dirname, '../../../package.json'), 'utf8')) as { version: string }
    ).version;
    const info = parseExposition(await scrape()).filter((s) => s.name === 'fraud_build_info');
    expect(info).toEqual([
      {
        name: 'fraud_build_info',
        labels: {
          service: 'registry',
          version,
          commit: expect.stringMatching(/^([0-9a-f]{7,40}|unknown)$/),
          node: process.version,
        },
        value: 1,
      },
    ]);
  });

  it('counts calls by method and code, times them, and counts flags, listed numbers and verifications', async () => {
    const carrier = harness.client('carrier:CTCC');
    const police = harness.client('police');
    const [suspect, confirmed] = numbers(2, 7_100);
    await carrier.submitFlags({ flags: [aFlag(suspect!), aFlag(confirmed!)] });
    await carrier.checkNumbers({ msisdns: [suspect!] });
    await police.verifyNumber({
      idempotencyKey: 'obs-1',
      msisdn: confirmed,
      outcome: 'VERIFICATION_OUTCOME_CONFIRMED' as never,
      caseId: 'CD-2024-0001',
      note: '',
    });
    const msisdn = suspect;
    await expect(harness.client().checkNumbers({ msisdns: [msisdn!] })).rejects.toMatchObject({
      code: GrpcCode.UNAUTHENTICATED,
    });

    const text = await scrape();
    const checkNumbers = { grpc_service: 'fraud.registry.v1.RegistryService', grpc_method: 'CheckNumbers' };
    expect(sample(text, 'grpc_server_handled_total', { ...checkNumbers, grpc_code: 'OK' })).toBe(1);
    expect(sample(text, 'grpc_server_handled_total', { ...checkNumbers, grpc_code: 'UNAUTHENTICATED' })).toBe(1);
    expect(sample(text, 'grpc_server_handling_seconds_count', checkNumbers)).toBe(2);
    expect(sample(text, 'grpc_server_handling_seconds_bucket', { ...checkNumbers, le: '+Inf' })).toBe(2);
    expect(sample(text, 'grpc_server_handling_seconds_bucket', { ...checkNumbers, le: '10' })).toBe(2);
    expect(text).toMatch(/grpc_server_handled_total\{[^}]*service="registry"/);
    expect(text).toMatch(/process_cpu_user_seconds_total\{service="registry"\}/);
    expect(sample(text, 'fraud_registry_flags_total', { source: 'carrier:CTCC', result: 'accepted' })).toBe(2);
    expect(sample(text, 'fraud_registry_numbers', { status: 'SUSPECTED' })).toBe(1);
    expect(sample(text, 'fraud_registry_numbers', { status: 'CONFIRMED' })).toBe(1);
    expect(sample(text, 'fraud_registry_verifications_total', { outcome: 'CONFIRMED', replayed: 'false' })).toBe(1);
    expect(sample(text, 'fraud_registry_change_version', {})).toBeGreaterThanOrEqual(3);
  });

  it('echoes the caller’s x-request-id, or a new one, on success and on failure', async () => {
    const client = harness.client('carrier:CTCC');
    const metadata = new Metadata();
    metadata.set('x-request-id', 'trace-42.a');
    const echoed = await new Promise<string[]>((resolve, reject) => {
      const call = (
        client.raw as unknown as {
          checkNumbers(
            r: registry.CheckNumbersRequest,
            m: Metadata,
            cb: (e: ServiceError | null) => void,
          ): { on(event: 'metadata', l: (m: Metadata) => void): void };
        }
      ).checkNumbers({ msisdns: ['+8619100000001'] }, metadata, (error) => (error ? reject(error) : undefined));
      call.on('metadata', (headers) => resolve(headers.get('x-request-id').map(String)));
    });
    expect(echoed).toEqual(['trace-42.a']);

    const refused = new Metadata();
    refused.set('x-request-id', 'bad id with spaces');
    const error = await new Promise<ServiceError>((resolve) =>
      (
        harness.client().raw as unknown as {
          checkNumbers(r: registry.CheckNumbersRequest, m: Metadata, cb: (e: ServiceError | null) => void): void;
        }
      ).checkNumbers({ msisdns: [] }, refused, (e) => resolve(e!)),
    );
    expect(error.code).toBe(GrpcCode.UNAUTHENTICATED);
    const [generated] = error.metadata.get('x-request-id').map(String);
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
  });
});
