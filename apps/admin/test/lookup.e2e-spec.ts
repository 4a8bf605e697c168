import { status } from '@grpc/grpc-js';
import { AuditLog } from '@app/audit';
import { grpcError } from '@app/testing';
import { aDecisionItem, AdminHarness, timestampIn } from './admin-harness';

interface LookupJson {
  msisdn: string;
  owner?: { msisdn: string; carrier: string; ported: boolean };
  decisions: {
    carrier: string;
    decision: {
      decisionId: string;
      action: string;
      reasons: string[];
      at: string;
      evidence: { summary: string; cells: { cell: string; at: string; activity: string }[] };
    };
  }[];
  directives: { directive: { directiveId: string; kind: string }; status: string }[];
  case?: { caseId: string; status: string; events: unknown[] };
}

interface AuditRow {
  actor: string;
  role: string;
  action: string;
  target: string | null;
  purpose: string | null;
  outcome: string;
}

const NUMBER = '+8619100000031';

describe('LookupNumber: a number across carriers, audited with its purpose (e2e)', () => {
  let harness: AdminHarness;
  let directiveId: string;

  beforeAll(async () => {
    harness = await AdminHarness.start();
    await harness.client('carrier:CMCC').submitCarrierFeed({
      items: [
        aDecisionItem(NUMBER, 'ACTION_REPORT', { reasons: ['FOREIGN_HARASSMENT'], at: timestampIn(-3 * 3_600_000) }),
      ],
    });
    await harness.client('carrier:CTCC').submitCarrierFeed({
      items: [
        aDecisionItem(NUMBER, 'ACTION_WARN', { reasons: ['CALL_BURST'], at: timestampIn(-2 * 3_600_000) }),
        aDecisionItem(NUMBER, 'ACTION_SUSPEND', {
          reasons: ['CORROBORATED_REPORTS', 'CALL_BURST'],
          at: timestampIn(-3_600_000),
        }),
      ],
    });
    const issued = await harness.http<{ directive: { directiveId: string } }>('POST', '/api/directives', {
      role: 'admin:sichuan',
      body: { msisdn: NUMBER, kind: 'REVIEW', reason: 'check the suspension' },
    });
    directiveId = issued.body.directive.directiveId;
  });
  afterAll(() => harness.close());

  const auditOf = (target: string) =>
    harness.sql<AuditRow>(
      'SELECT actor, role, action, target, purpose, outcome FROM audit_event ' +
        'WHERE target = $1 AND action LIKE $2 ORDER BY id',
      [target, '%umber%'],
    );

  it('GET /api/numbers/:msisdn: owner, every decision newest first with evidence, directives and case', async () => {
    const { status: code, body } = await harness.get<LookupJson>(
      `/api/numbers/19100000031?purpose=${encodeURIComponent('complaint 2024-117')}`,
      'analyst',
    );
    expect(code).toBe(200);
    expect(body.msisdn).toBe(NUMBER);
    expect(body.owner).toEqual({ msisdn: NUMBER, carrier: 'CTCC', ported: false });
    expect(body.decisions.map((d) => [d.carrier, d.decision.action])).toEqual([
      ['CTCC', 'ACTION_SUSPEND'],
      ['CTCC', 'ACTION_WARN'],
      ['CMCC', 'ACTION_REPORT'],
    ]);
    expect(body.decisions[0]!.decision.evidence.cells).toEqual([
      { cell: '460-11-23456-1', at: expect.stringMatching(/Z$/), activity: 'call' },
    ]);
    expect(body.directives.map((d) => [d.directive.directiveId, d.directive.kind])).toContainEqual([
      directiveId,
      'DIRECTIVE_KIND_REVIEW',
    ]);
    expect(body.case).toMatchObject({ caseId: expect.stringMatching(/^SC-\d{8}-0001$/), status: 'CASE_STATUS_OPEN' });
    // The case's story: CMCC's report and CTCC's warning led up to the suspension; then the directive.
    expect(body.case!.events.length).toBeGreaterThanOrEqual(4);
  });

  it('LookupNumber over gRPC answers the same', async () => {
    const answer = await harness
      .client('police', 'officer-0427')
      .lookupNumber({ msisdn: NUMBER, purpose: 'case CD-2024-0117' });
    expect(answer.owner).toEqual({ msisdn: NUMBER, carrier: 'CTCC', ported: false });
    expect(answer.decisions.map((d) => d.decision!.action)).toEqual(['ACTION_SUSPEND', 'ACTION_WARN', 'ACTION_REPORT']);
    expect(answer.case?.status).toBe('CASE_STATUS_OPEN');
    // No REGISTRY_ADDRESS here: the registry's status is unknown, and said so.
    expect(answer.registryStatus).toBe('NUMBER_STATUS_UNSPECIFIED');
  });

  it('requires a purpose, and refuses roles the proto does not admit', async () => {
    expect(await harness.get('/api/numbers/19100000031', 'analyst')).toMatchObject({
      status: 400,
      body: { error: 'REQUIRED', field: 'purpose' },
    });
    await expect(harness.client('analyst').lookupNumber({ msisdn: NUMBER, purpose: '  ' })).rejects.toMatchObject(
      grpcError(status.INVALID_ARGUMENT, 'purpose'),
    );
    expect((await harness.get(`/api/numbers/${NUMBER}?purpose=curious`, 'carrier:CMCC')).status).toBe(403);
    expect((await harness.get('/api/numbers/not-a-number?purpose=x', 'analyst')).body).toMatchObject({
      error: 'MALFORMED',
      field: 'msisdn',
    });
  });

  it('writes every look-up to the audit log, answered or refused, with the number and the purpose', async () => {
    expect(await auditOf(NUMBER)).toEqual([
      {
        actor: 'analyst',
        role: 'analyst',
        action: 'HTTP GET /api/numbers/:msisdn',
        target: NUMBER,
        purpose: 'complaint 2024-117',
        outcome: 'OK',
      },
      {
        actor: 'officer-0427',
        role: 'police',
        action: 'fraud.admin.v1.AdminService/LookupNumber',
        target: NUMBER,
        purpose: 'case CD-2024-0117',
        outcome: 'OK',
      },
      {
        actor: 'analyst',
        role: 'analyst',
        action: 'HTTP GET /api/numbers/:msisdn',
        target: NUMBER,
        purpose: null,
        outcome: 'INVALID_ARGUMENT',
      },
      {
        actor: 'analyst',
        role: 'analyst',
        action: 'fraud.admin.v1.AdminService/LookupNumber',
        target: NUMBER,
        purpose: '  ',
        outcome: 'INVALID_ARGUMENT',
      },
      // Refused by the guard before the handler: the guard audits it, with the path's number as sent.
      {
        actor: 'carrier-CMCC',
        role: 'carrier:CMCC',
        action: 'HTTP GET /api/numbers/:msisdn',
        target: NUMBER,
        purpose: 'curious',
        outcome: 'PERMISSION_DENIED',
      },
    ]);
    expect(await auditOf('not-a-number')).toEqual([
      {
        actor: 'analyst',
        role: 'analyst',
        action: 'HTTP GET /api/numbers/:msisdn',
        target: 'not-a-number',
        purpose: 'x',
        outcome: 'INVALID_ARGUMENT',
      },
    ]);
    expect(await harness.app.get(AuditLog).verifyChain()).toMatchObject({ intact: true });
  });
});
