import { query, startProvince, type Province } from '../../apps/carrier/test/linked-services';
import { aFlag } from '../../apps/registry/test/registry-harness';
import { bearer, contracts, httpProbe, probe, type FieldStep, type MethodContract, type ProbeCall } from './probe';

const REGISTRY = 'fraud.registry.v1.RegistryService';
/** v2 is served beside v1 on the registry's port (its CheckNumbers is a plain grpc-js handler). */
const REGISTRY_V2 = 'fraud.registry.v2.RegistryService';
const ADMIN = 'fraud.admin.v1.AdminService';
const CARRIER = 'fraud.carrier.v1.CarrierService';

/** Who each RPC admits, by role kind (docs/api/README.md, "Roles and tokens"); `any` is any valid token. */
const ADMITS: Record<string, Record<string, string[]>> = {
  [REGISTRY]: {
    SubmitFlags: ['carrier', 'admin'],
    CheckNumbers: ['carrier', 'admin', 'analyst', 'police'],
    WatchChanges: ['carrier', 'admin'],
    GetNumberRecord: ['carrier', 'admin', 'analyst', 'police'],
    VerifyNumber: ['police'],
    ListAuditEvents: ['auditor'],
    VerifyAuditChain: ['auditor'],
  },
  [REGISTRY_V2]: {
    CheckNumbers: ['carrier', 'admin', 'analyst', 'police'],
  },
  [ADMIN]: {
    SubmitCarrierFeed: ['carrier'],
    StreamDirectives: ['carrier'],
    IssueDirective: ['admin'],
    ListDirectives: ['admin', 'analyst'],
    AddHighRiskCell: ['admin', 'analyst'],
    RemoveHighRiskCell: ['admin', 'analyst'],
    ListHighRiskCells: ['admin', 'analyst', 'carrier', 'police'],
    GetOwner: ['any'],
    SetPortedNumber: ['admin'],
    GetOversight: ['admin', 'analyst', 'carrier'],
    LookupNumber: ['admin', 'analyst', 'police'],
    ListCases: ['admin', 'analyst', 'police'],
  },
  [CARRIER]: {
    IngestEvents: ['carrier'],
    CheckCall: ['carrier'],
    ExplainNumber: ['carrier', 'admin', 'police'],
    DeclareProfile: ['carrier'],
    Reactivate: ['carrier'],
    ResolveAppeal: ['carrier', 'admin'],
    ListDecisions: ['carrier', 'admin', 'analyst'],
    ListNotices: ['carrier'],
    ListPolicies: ['carrier', 'admin', 'analyst'],
    PutPolicy: ['carrier'],
    SetPolicy: ['carrier'],
    ListReviews: ['carrier'],
    DecideReview: ['carrier'],
    ListRuleBudgets: ['carrier', 'admin', 'analyst'],
    ReenableRule: ['carrier'],
  },
};

/** The token role that a service of the province admits for a role kind. */
const ROLE_OF: Record<string, string> = {
  carrier: 'carrier:CMCC',
  admin: 'admin:sichuan',
  analyst: 'analyst',
  police: 'police',
  auditor: 'auditor',
  any: 'analyst',
};

const BAD_TEXT = 'a\u0000b';

/** A request holding `value` at the path, and the path as the server names it (`flags[0].evidence.cells[0].cell`). */
function requestAt(path: FieldStep[], value: unknown): { request: Record<string, unknown>; field: string } {
  const request: Record<string, unknown> = {};
  let node = request;
  const names: string[] = [];
  path.forEach(([name, repeated], i) => {
    names.push(repeated ? `${name}[0]` : name);
    const child = i === path.length - 1 ? value : {};
    node[name] = repeated ? [child] : child;
    node = child as Record<string, unknown>;
  });
  return { request, field: names.join('.') };
}

describe('admission through an independent client (C-core gRPC and urllib from Python)', () => {
  let province: Province;
  let methods: Record<string, MethodContract[]>;
  const targets = (): Record<string, string> => ({
    [REGISTRY]: province.registry.address,
    [REGISTRY_V2]: province.registry.address,
    [ADMIN]: province.admin.address,
    [CARRIER]: province.carriers.CMCC.address,
  });
  const token = (role: string, subject = role.replace(':', '-'), ttlSeconds?: number): string =>
    province.registry.token(role, subject, ttlSeconds);
  const call = (
    service: string,
    m: MethodContract,
    role: string,
    request: unknown = {},
    subject?: string,
  ): ProbeCall => ({
    target: targets()[service],
    method: `${service}/${m.method}`,
    ...(m.client_streaming ? { requests: [request] } : { request }),
    ...(m.server_streaming ? { readFor: 0.5 } : {}),
    metadata: bearer(token(role, subject)),
  });

  beforeAll(async () => {
    // Streams end when their token does, to the second.
    province = await startProvince(['CMCC'], { env: { AUTH_CLOCK_SKEW_SEC: '0' } });
    methods = await contracts([REGISTRY, REGISTRY_V2, ADMIN, CARRIER]);
  });
  afterAll(() => province.close());

  it('knows every RPC the contracts define', () => {
    for (const service of [REGISTRY, REGISTRY_V2, ADMIN, CARRIER])
      expect(methods[service].map((m) => m.method).sort()).toEqual(Object.keys(ADMITS[service]).sort());
  });

  describe('provinces × RPCs', () => {
    it("refuses another province's administration on every admin and carrier RPC, auditing each refusal", async () => {
      for (const service of [ADMIN, CARRIER]) {
        const foreign = await probe(methods[service].map((m) => call(service, m, 'admin:beijing', {}, 'admin-bj')));
        const own = await probe(methods[service].map((m) => call(service, m, 'admin:sichuan', {}, 'admin-sc')));
        methods[service].forEach((m, i) => {
          const admitsAdmin = ADMITS[service][m.method].some((kind) => kind === 'admin' || kind === 'any');
          expect({ method: m.method, code: foreign[i].code }).toEqual({ method: m.method, code: 'PERMISSION_DENIED' });
          if (admitsAdmin)
            expect({ method: m.method, details: foreign[i].details }).toEqual({
              method: m.method,
              details: 'role admin:beijing may not act in province sichuan',
            });
          expect({ method: m.method, code: own[i].code === 'PERMISSION_DENIED' }).toEqual({
            method: m.method,
            code: !admitsAdmin,
          });
        });
        const db = service === ADMIN ? province.admin.db.url : province.carriers.CMCC.db.url;
        const audited = await query<{ action: string }>(
          db,
          `SELECT DISTINCT action FROM audit_event WHERE actor = 'admin-bj' AND outcome = 'PERMISSION_DENIED'`,
        );
        expect(audited.map((r) => r.action).sort()).toEqual(
          methods[service].map((m) => `${service}/${m.method}`).sort(),
        );
      }
    });

    it('lets every province use the national registry, recording the province as the source of its flags', async () => {
      for (const service of [REGISTRY, REGISTRY_V2]) {
        const [beijing, sichuan] = await Promise.all(
          ['admin:beijing', 'admin:sichuan'].map((role) => probe(methods[service].map((m) => call(service, m, role)))),
        );
        methods[service].forEach((m, i) => {
          const admitsAdmin = ADMITS[service][m.method].includes('admin');
          expect({
            method: `${service}/${m.method}`,
            beijing: beijing[i].code === 'PERMISSION_DENIED',
            sichuan: sichuan[i].code === 'PERMISSION_DENIED',
          }).toEqual({
            method: `${service}/${m.method}`,
            beijing: !admitsAdmin,
            sichuan: !admitsAdmin,
          });
        });
      }
      const flag = aFlag('+8619300001111', { idempotencyKey: 'beijing-1', source: 'admin' });
      const [submitted] = await probe([
        {
          target: province.registry.address,
          method: `${REGISTRY}/SubmitFlags`,
          request: { flags: [wireFlag(flag)] },
          metadata: bearer(token('admin:beijing')),
        },
      ]);
      expect(submitted).toMatchObject({
        code: 'OK',
        response: { results: [{ msisdn: '+8619300001111', status: 'NUMBER_STATUS_SUSPECTED' }] },
      });
      const [record] = await probe([
        {
          target: province.registry.address,
          method: `${REGISTRY}/GetNumberRecord`,
          request: { msisdn: '+8619300001111', purpose: 'source check' },
          metadata: bearer(token('police')),
        },
      ]);
      expect(record.response).toMatchObject({
        history: expect.arrayContaining([{ flag: expect.objectContaining({ source: 'admin:beijing' }) }]),
      });
    });

    it('answers every dashboard API route 403 for another province, from its own OpenAPI document', async () => {
      const base = province.admin.baseUrl;
      const [documentAnswer] = await httpProbe([{ method: 'GET', url: `${base}/api/openapi.json` }]);
      const document = JSON.parse(documentAnswer.body) as {
        paths: Record<string, Record<string, { security?: unknown[] }>>;
      };
      const routes = Object.entries(document.paths).flatMap(([path, operations]) =>
        Object.entries(operations).map(([method, operation]) => ({
          method: method.toUpperCase(),
          path: path.replace('{msisdn}', '19112345678').replace('{cell}', '460-00-12345-1'),
          guarded: operation.security !== undefined,
        })),
      );
      expect(routes.filter((r) => r.guarded).length).toBeGreaterThan(10);
      const answers = await httpProbe(
        routes.map((r) => ({
          method: r.method,
          url: `${base}${r.path}?purpose=check&reason=check`,
          headers: [
            ['authorization', `Bearer ${token('admin:beijing', 'admin-bj-http')}`],
            ['content-type', 'application/json'],
          ] as [string, string][],
          ...(r.method === 'POST' ? { body: '{}' } : {}),
        })),
      );
      routes.forEach((r, i) =>
        expect({ route: `${r.method} ${r.path}`, status: answers[i].status }).toEqual({
          route: `${r.method} ${r.path}`,
          status: r.guarded ? 403 : 200,
        }),
      );
    });
  });

  describe('bad bytes in every text field', () => {
    it('refuses a control character in any text field of any RPC, INVALID_ARGUMENT naming it, audited', async () => {
      for (const service of [REGISTRY, REGISTRY_V2, ADMIN, CARRIER]) {
        const cases = methods[service]
          .filter((m) => !m.client_streaming)
          .flatMap((m) => m.text_fields.map((path) => ({ m, ...requestAt(path, BAD_TEXT) })));
        const db =
          service === REGISTRY || service === REGISTRY_V2
            ? province.registry.db.url
            : service === ADMIN
              ? province.admin.db.url
              : province.carriers.CMCC.db.url;
        const before = await auditCount(db, 'INVALID_ARGUMENT');
        const answers = await probe(
          cases.map(({ m, request }) => call(service, m, ROLE_OF[ADMITS[service][m.method][0]], request)),
        );
        cases.forEach(({ m, field }, i) =>
          expect({ rpc: `${m.method} ${field}`, code: answers[i].code, details: answers[i].details }).toEqual({
            rpc: `${m.method} ${field}`,
            code: 'INVALID_ARGUMENT',
            details: `${field}: must not contain control characters (such as NUL)`,
          }),
        );
        expect(await auditCount(db, 'INVALID_ARGUMENT')).toBe(before + cases.length);
      }
    });

    it('refuses every kind of control character, and admits line breaks only in multi-line text', async () => {
      const m = methods[REGISTRY].find((x) => x.method === 'GetNumberRecord')!;
      const purposes = ['\u001b[2J', 'a\u007f', 'a\u0085', 'a\nb', 'a\tb'];
      const answers = await probe(
        purposes.map((purpose) => call(REGISTRY, m, 'police', { msisdn: '19112345678', purpose })),
      );
      expect(answers.map((a) => a.code)).toEqual(purposes.map(() => 'INVALID_ARGUMENT'));
      const verify = methods[REGISTRY].find((x) => x.method === 'VerifyNumber')!;
      const [multiLine] = await probe([
        call(REGISTRY, verify, 'police', {
          idempotency_key: 'note-lines',
          msisdn: '19300002222',
          outcome: 'VERIFICATION_OUTCOME_CLEARED',
          case_id: 'C-1',
          note: 'line one\nline two',
        }),
      ]);
      // The note is admitted; the outcome is the registry's to decide (nothing to clear here).
      expect(multiLine).toMatchObject({ code: 'FAILED_PRECONDITION' });
    });

    it('refuses just the streamed event with a control character, naming its field; the others go on', async () => {
      const ingest = methods[CARRIER].find((m) => m.method === 'IngestEvents')!;
      const eventFields = ingest.text_fields.filter((path) => path[0][0] === 'events').map((path) => path.slice(1));
      const events = eventFields.map((path) => requestAt(path, BAD_TEXT));
      const clean = {
        id: 'clean-1',
        at_ms: String(Date.now() - 60_000),
        location: { msisdn: '19800000001', cell: '460-00-12345-1' },
      };
      const [answer] = await probe([
        call(CARRIER, ingest, 'carrier:CMCC', { events: [...events.map((e) => e.request), clean] }),
      ]);
      expect(answer.code).toBe('OK');
      expect(answer.response).toMatchObject({ accepted: '1', rejected: String(events.length) }); // int64 in proto3 JSON
      expect((answer.response!.rejections as { field: string; reason: string }[]).map((r) => r.field)).toEqual(
        events.map((e) => e.field),
      );
    });
  });

  describe('tokens', () => {
    it('refuses two authorization headers, whichever is valid', async () => {
      const m = `${REGISTRY}/CheckNumbers`;
      const valid = `Bearer ${token('police', 'officer-dup')}`;
      const answers = await probe([
        {
          target: province.registry.address,
          method: m,
          request: { msisdns: ['19112345678'] },
          metadata: [['authorization', valid]],
        },
        {
          target: province.registry.address,
          method: m,
          request: { msisdns: ['19112345678'] },
          metadata: [
            ['authorization', valid],
            ['authorization', 'Bearer junk'],
          ],
        },
        {
          target: province.registry.address,
          method: m,
          request: { msisdns: ['19112345678'] },
          metadata: [
            ['authorization', 'Bearer junk'],
            ['authorization', valid],
          ],
        },
        {
          target: province.registry.address,
          method: m,
          request: { msisdns: ['19112345678'] },
          metadata: [
            ['authorization', valid],
            ['authorization', valid],
          ],
        },
      ]);
      expect(answers.map((a) => a.code)).toEqual(['OK', 'UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED']);
      expect(answers[1].details).toBe('invalid token: more than one authorization header');
      // The plain handlers (v2's CheckNumbers, a carrier's CheckCall) apply the same rule.
      const plain = await probe(
        [
          {
            target: province.registry.address,
            method: `${REGISTRY_V2}/CheckNumbers`,
            request: { e164: [8619112345678] },
          },
          {
            target: province.carriers.CMCC.address,
            method: `${CARRIER}/CheckCall`,
            request: { caller: '19112345678', callee: '13800000000' },
          },
        ].map((c) => ({
          ...c,
          metadata: [
            ['authorization', `Bearer ${token('carrier:CMCC', 'cmcc-dup')}`],
            ['authorization', `Bearer ${token('carrier:CMCC', 'cmcc-dup')}`],
          ] as [string, string][],
        })),
      );
      expect(plain.map((a) => [a.code, a.details])).toEqual([
        ['UNAUTHENTICATED', 'invalid token: more than one authorization header'],
        ['UNAUTHENTICATED', 'invalid token: more than one authorization header'],
      ]);
    });

    it('ends WatchChanges and StreamDirectives with UNAUTHENTICATED when their token expires', async () => {
      const [watch, directives] = await probe(
        [
          {
            target: province.registry.address,
            method: `${REGISTRY}/WatchChanges`,
            request: { since_version: 0 },
            metadata: bearer(token('carrier:CMCC', 'carrier-cmcc-2s', 2)),
            readFor: 20,
          },
          {
            target: province.admin.address,
            method: `${ADMIN}/StreamDirectives`,
            requests: [],
            hold: 20,
            metadata: bearer(token('carrier:CMCC', 'carrier-cmcc-2s', 2)),
            readFor: 20,
          },
        ],
        { parallel: true },
      );
      for (const end of [watch, directives]) {
        expect(end.code).toBe('UNAUTHENTICATED');
        expect(end.details).toMatch(/^token expired at .*: open the stream again with a renewed token$/);
        expect(end.elapsed).toBeLessThan(20);
      }
    });
  });

  describe('limits per client', () => {
    it('holds one client to its share of open streams, and serves another client meanwhile', async () => {
      const watch = (subject: string): ProbeCall => ({
        target: province.registry.address,
        method: `${REGISTRY}/WatchChanges`,
        request: { since_version: 0 },
        metadata: bearer(token('carrier:CMCC', subject)),
        readFor: 3,
      });
      const answers = await probe(
        [...Array.from({ length: 200 }, () => watch('greedy-client')), watch('other-client')],
        { parallel: true },
      );
      const greedy = answers.slice(0, 200);
      expect(greedy.filter((a) => a.code === 'CANCELLED').length).toBe(16);
      expect(greedy.filter((a) => a.code === 'RESOURCE_EXHAUSTED').length).toBe(184);
      expect(answers[200].code).toBe('CANCELLED');
      expect(await auditCount(province.registry.db.url, 'RESOURCE_EXHAUSTED')).toBeGreaterThanOrEqual(184);
    });
  });
});

async function auditCount(db: string, outcome: string): Promise<number> {
  return Number(
    (await query<{ n: string }>(db, `SELECT count(*) AS n FROM audit_event WHERE outcome = $1`, [outcome]))[0].n,
  );
}

/** A flag from the registry's test helpers, in proto3 JSON. */
function wireFlag(flag: ReturnType<typeof aFlag>): Record<string, unknown> {
  const time = (t: { seconds: number; nanos: number } | undefined) =>
    t ? new Date(t.seconds * 1000 + Math.floor(t.nanos / 1e6)).toISOString() : undefined;
  return {
    idempotency_key: flag.idempotencyKey,
    msisdn: flag.msisdn,
    source: flag.source,
    reason_codes: flag.reasonCodes,
    score: flag.score,
    evidence: {
      window_start: time(flag.evidence?.windowStart),
      window_end: time(flag.evidence?.windowEnd),
      summary: flag.evidence?.summary ?? '',
    },
    observed_at: time(flag.observedAt),
  };
}
