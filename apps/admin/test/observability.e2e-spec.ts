import { status as GrpcCode } from '@grpc/grpc-js';
import { parseExposition, sampleOf, scrapeMetrics } from '@app/testing';
import { aDecisionItem, AdminHarness, directiveStream, type AdminClient } from './admin-harness';

describe('admin observability (metrics over HTTP, request ids on gRPC and HTTP)', () => {
  let harness: AdminHarness;
  let administration: AdminClient;
  let ctcc: AdminClient;

  beforeAll(async () => {
    harness = await AdminHarness.start();
    administration = harness.client('admin:sichuan', 'admin-li');
    ctcc = harness.client('carrier:CTCC');
  });
  afterAll(() => harness.close());

  it('counts feed items, directives issued, open and acknowledged, and calls by code', async () => {
    const item = aDecisionItem('+8613800000001', 'ACTION_REPORT');
    await ctcc.submitCarrierFeed({ items: [item] });
    await ctcc.submitCarrierFeed({ items: [item] }); // the same key again: a replay
    const issued = await administration.issueDirective({
      idempotencyKey: 'obs-d1',
      msisdn: '19100000001',
      kind: 'DIRECTIVE_KIND_SUSPEND' as never,
      reason: 'police request CD-2024-0117',
    });
    await expect(
      harness.client('analyst').issueDirective({
        idempotencyKey: 'obs-d2',
        msisdn: '19100000001',
        kind: 'DIRECTIVE_KIND_SUSPEND' as never,
        reason: 'x',
      }),
    ).rejects.toMatchObject({
      code: GrpcCode.PERMISSION_DENIED,
    });

    let series = parseExposition(await scrapeMetrics(harness.metricsUrl));
    expect(
      sampleOf(series, 'fraud_admin_feed_items_total', {
        carrier: 'CTCC',
        kind: 'decision',
        result: 'accepted',
        service: 'admin',
      }),
    ).toBe(1);
    expect(
      sampleOf(series, 'fraud_admin_feed_items_total', { carrier: 'CTCC', kind: 'decision', result: 'replayed' }),
    ).toBe(1);
    expect(sampleOf(series, 'fraud_admin_feed_decisions_total', { carrier: 'CTCC', action: 'REPORT' })).toBe(1);
    expect(
      sampleOf(series, 'fraud_admin_directives_issued_total', { carrier: 'CTCC', kind: 'SUSPEND', issuer: 'admin' }),
    ).toBe(1);
    expect(sampleOf(series, 'fraud_admin_directives_open', { carrier: 'CTCC', state: 'PENDING' })).toBe(1);
    expect(
      sampleOf(series, 'fraud_admin_directive_oldest_open_age_seconds', { carrier: 'CTCC' }),
    ).toBeGreaterThanOrEqual(0);
    expect(sampleOf(series, 'fraud_admin_cases', { status: 'OPEN' })).toBe(0);
    const issue = { grpc_service: 'fraud.admin.v1.AdminService', grpc_method: 'IssueDirective' };
    expect(sampleOf(series, 'grpc_server_handled_total', { ...issue, grpc_code: 'OK' })).toBe(1);
    expect(sampleOf(series, 'grpc_server_handled_total', { ...issue, grpc_code: 'PERMISSION_DENIED' })).toBe(1);
    expect(sampleOf(series, 'grpc_server_handling_seconds_count', issue)).toBe(2);

    // The carrier takes it on its stream and applies it.
    const stream = directiveStream(ctcc);
    const directives = await stream.waitFor(1);
    const id = issued.directive!.directive!.directiveId;
    expect(directives.map((d) => d.directiveId)).toContain(id);
    stream.ack(id, 'APPLIED', 'suspended', 'ACTION_SUSPEND');
    await waitFor(async () => {
      series = parseExposition(await scrapeMetrics(harness.metricsUrl));
      return sampleOf(series, 'fraud_admin_directive_acks_total', { carrier: 'CTCC', outcome: 'APPLIED' }) === 1;
    });
    expect(sampleOf(series, 'fraud_admin_directives_open', { carrier: 'CTCC', state: 'PENDING' })).toBe(0);
  });

  it('leaves directives to a carrier not running (CBN by default) out of the open-directive metrics', async () => {
    const issue = (client: AdminClient, key: string, msisdn: string) =>
      client.issueDirective({ idempotencyKey: key, msisdn, kind: 'DIRECTIVE_KIND_SUSPEND' as never, reason: 'obs' });
    await issue(administration, 'obs-cbn-1', '19200000001'); // segment 192: CBN's, which is not started
    await issue(administration, 'obs-cucc-1', '13000000001');
    const series = parseExposition(await scrapeMetrics(harness.metricsUrl));
    expect(sampleOf(series, 'fraud_admin_directives_issued_total', { carrier: 'CBN' })).toBe(1);
    expect(sampleOf(series, 'fraud_admin_directives_open', { carrier: 'CUCC', state: 'PENDING' })).toBe(1);
    expect(
      sampleOf(series, 'fraud_admin_directive_oldest_open_age_seconds', { carrier: 'CUCC' }),
    ).toBeGreaterThanOrEqual(0);
    const openCarriers = series
      .filter((s) => s.name.startsWith('fraud_admin_directive') && s.name !== 'fraud_admin_directives_issued_total')
      .map((s) => s.labels.carrier);
    expect(openCarriers).toContain('CUCC');
    expect(openCarriers).not.toContain('CBN');

    // Started with CBN among its carriers, the administration counts it again.
    const withCbn = await AdminHarness.start({ env: { CARRIER_IDS: 'CMCC,CUCC,CTCC,CBN' } });
    try {
      await issue(withCbn.client('admin:sichuan', 'admin-li'), 'obs-cbn-2', '19200000002');
      const counted = parseExposition(await scrapeMetrics(withCbn.metricsUrl));
      expect(sampleOf(counted, 'fraud_admin_directives_open', { carrier: 'CBN', state: 'PENDING' })).toBe(1);
      expect(
        sampleOf(counted, 'fraud_admin_directive_oldest_open_age_seconds', { carrier: 'CBN' }),
      ).toBeGreaterThanOrEqual(0);
      expect(
        counted.some((s) => s.name === 'fraud_admin_directive_oldest_open_age_seconds' && s.labels.carrier === 'CBN'),
      ).toBe(true);
    } finally {
      await withCbn.close();
    }
  });

  it('counts and times the dashboard API by route pattern, never by the number in the path', async () => {
    const analyst = { authorization: `Bearer ${harness.token('analyst')}` };
    for (const msisdn of ['19100000002', '19100000003'])
      expect((await fetch(`${harness.baseUrl}/api/numbers/${msisdn}?purpose=check`, { headers: analyst })).status).toBe(
        200,
      );
    expect((await fetch(`${harness.baseUrl}/api/numbers/19100000004`)).status).toBe(401);
    expect((await fetch(`${harness.baseUrl}/api/no-such-thing/19100000005`, { headers: analyst })).status).toBe(404);
    expect((await fetch(`${harness.baseUrl}/`)).status).toBe(200);

    const text = await scrapeMetrics(harness.metricsUrl);
    const series = parseExposition(text);
    const lookup = { method: 'GET', route: '/api/numbers/:msisdn', service: 'admin' };
    expect(sampleOf(series, 'fraud_http_requests_total', { ...lookup, status: '200' })).toBe(2);
    expect(sampleOf(series, 'fraud_http_requests_total', { ...lookup, status: '401' })).toBe(1);
    expect(sampleOf(series, 'fraud_http_request_duration_seconds_count', lookup)).toBe(3);
    expect(sampleOf(series, 'fraud_http_request_duration_seconds_bucket', { ...lookup, le: '+Inf' })).toBe(3);
    expect(sampleOf(series, 'fraud_http_requests_total', { route: 'unmatched', status: '404' })).toBe(1);
    expect(sampleOf(series, 'fraud_http_requests_total', { method: 'GET', route: 'static', status: '200' })).toBe(1);
    // The routes are patterns: none of the numbers asked about appears in a label.
    const routes = new Set(series.filter((s) => s.name.startsWith('fraud_http_')).map((s) => s.labels.route));
    expect([...routes].sort()).toEqual(['/api/numbers/:msisdn', 'static', 'unmatched']);
    expect(text).not.toMatch(/191000000\d\d/);
  });

  it('gives every HTTP request a request id, the caller’s when valid', async () => {
    const own = await fetch(`${harness.baseUrl}/api/me`, {
      headers: { 'x-request-id': 'dash-1234', authorization: `Bearer ${harness.token('analyst')}` },
    });
    expect(own.status).toBe(200);
    expect(own.headers.get('x-request-id')).toBe('dash-1234');
    const refused = await fetch(`${harness.baseUrl}/api/me`, { headers: { 'x-request-id': 'x'.repeat(200) } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

async function waitFor(done: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error('not within the time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
