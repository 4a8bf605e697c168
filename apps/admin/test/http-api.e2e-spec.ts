import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { chartJsFile, dashboardDir } from '../src/http/static-files';
import { AdminHarness } from './admin-harness';

interface DirectiveJson {
  directive: { directiveId: string; kind: string; msisdn: string; reason: string; issuedAt: string };
  carrier: string;
  status: string;
  issuedBy: string;
  replayed?: boolean;
}
interface CellListJson {
  list: {
    version: number;
    cells: { cell: string; reason: string; source: string; addedAt: string; expiresAt: string }[];
  };
  replayed?: boolean;
}

describe('The dashboard’s JSON API over HTTP (e2e)', () => {
  let harness: AdminHarness;

  beforeAll(async () => {
    harness = await AdminHarness.start();
  });
  afterAll(() => harness.close());

  describe('tokens and roles', () => {
    it('GET /api/me says who the token is; no token is 401, a forged one too', async () => {
      expect(await harness.get('/api/me', 'analyst')).toMatchObject({
        status: 200,
        body: { subject: 'analyst', role: 'analyst' },
      });
      expect(await harness.get('/api/me')).toMatchObject({
        status: 401,
        body: { error: 'MISSING_TOKEN', message: expect.stringContaining('authorization: Bearer') },
      });
      const forged = await fetch(`${harness.baseUrl}/api/me`, { headers: { authorization: 'Bearer aaa.bbb.ccc' } });
      expect(forged.status).toBe(401);
      expect(await forged.json()).toMatchObject({ error: 'INVALID_TOKEN' });
    });

    it("refuses another province's administration on every route with 403, audited", async () => {
      for (const [method, path, body] of [
        ['GET', '/api/directives', undefined],
        ['GET', '/api/cells', undefined],
        ['GET', '/api/me', undefined],
        ['POST', '/api/cells', { cell: '460-00-12345-1', reason: 'tip-off' }],
      ] as const) {
        expect(
          await harness.http(method, path, { role: 'admin:beijing', subject: 'admin-bj-3', ...(body ? { body } : {}) }),
        ).toMatchObject({
          status: 403,
          body: { error: 'ROLE_NOT_ALLOWED', message: 'role admin:beijing may not act in province sichuan' },
        });
      }
      expect(
        await harness.sql(
          `SELECT action, outcome, detail->>'ownProvince' AS province FROM audit_event
           WHERE actor = 'admin-bj-3' ORDER BY id`,
        ),
      ).toEqual([
        { action: 'HTTP GET /api/directives', outcome: 'PERMISSION_DENIED', province: 'sichuan' },
        { action: 'HTTP GET /api/cells', outcome: 'PERMISSION_DENIED', province: 'sichuan' },
        { action: 'HTTP GET /api/me', outcome: 'PERMISSION_DENIED', province: 'sichuan' },
        { action: 'HTTP POST /api/cells', outcome: 'PERMISSION_DENIED', province: 'sichuan' },
      ]);
      expect(await harness.get('/api/cells', 'admin:sichuan')).toMatchObject({ status: 200 });
    });

    it('refuses a request with two authorization headers, whichever comes first', async () => {
      const valid = `Bearer ${harness.token('admin:sichuan')}`;
      // A raw HTTP/1.1 request: Node's own client will not send a header twice.
      const send = (values: string[]): Promise<{ status: number; body: { error?: string } }> =>
        new Promise((resolve, reject) => {
          const url = new URL(harness.baseUrl);
          const socket = connect(Number(url.port), url.hostname, () =>
            socket.write(
              `GET /api/me HTTP/1.1\r\nHost: ${url.host}\r\n` +
                values.map((v) => `Authorization: ${v}\r\n`).join('') +
                'Connection: close\r\n\r\n',
            ),
          );
          let text = '';
          socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
          socket.on('error', reject);
          socket.on('end', () => {
            const [head, body] = text.split('\r\n\r\n');
            resolve({ status: Number(head.split(' ')[1]), body: JSON.parse(body) as { error?: string } });
          });
        });
      expect(await send([valid])).toMatchObject({ status: 200 });
      expect(await send([valid, 'Bearer forged'])).toMatchObject({ status: 401, body: { error: 'INVALID_TOKEN' } });
      expect(await send(['Bearer forged', valid])).toMatchObject({ status: 401, body: { error: 'INVALID_TOKEN' } });
    });

    it('refuses control characters in body, query and path with 400 naming the field, audited', async () => {
      expect(
        await harness.http('POST', '/api/directives', {
          role: 'admin:sichuan',
          subject: 'admin-nul',
          body: { msisdn: '19112345678', kind: 'SUSPEND', reason: 'fraud\u0000calls' },
        }),
      ).toMatchObject({
        status: 400,
        body: {
          error: 'MALFORMED',
          field: 'reason',
          message: 'reason: must not contain control characters (such as NUL)',
        },
      });
      expect(
        await harness.http('GET', '/api/directives?msisdn=1911234%005678', {
          role: 'admin:sichuan',
          subject: 'admin-nul',
        }),
      ).toMatchObject({ status: 400, body: { field: 'msisdn' } });
      expect(
        await harness.http('DELETE', '/api/cells/460-00-1%00?reason=x', {
          role: 'admin:sichuan',
          subject: 'admin-nul',
        }),
      ).toMatchObject({ status: 400, body: { field: 'cell' } });
      expect(
        await harness.sql(`SELECT action, outcome FROM audit_event WHERE actor = 'admin-nul' ORDER BY id`),
      ).toEqual([
        { action: 'HTTP POST /api/directives', outcome: 'INVALID_ARGUMENT' },
        { action: 'HTTP GET /api/directives', outcome: 'INVALID_ARGUMENT' },
        { action: 'HTTP DELETE /api/cells/:cell', outcome: 'INVALID_ARGUMENT' },
      ]);
      expect(await harness.sql('SELECT 1 FROM directive')).toEqual([]);
    });

    it('refuses an analyst POST /api/directives with 403, and writes the refusal to the audit log', async () => {
      const refused = await harness.http('POST', '/api/directives', {
        role: 'analyst',
        subject: 'analyst-7',
        body: { msisdn: '19112345678', kind: 'SUSPEND', reason: 'fraud calls' },
      });
      expect(refused).toMatchObject({
        status: 403,
        body: { error: 'ROLE_NOT_ALLOWED', message: 'role analyst may not call HTTP POST /api/directives' },
      });
      expect(
        await harness.sql(`SELECT actor, action, target, outcome FROM audit_event WHERE actor = 'analyst-7'`),
      ).toEqual([
        {
          actor: 'analyst-7',
          action: 'HTTP POST /api/directives',
          target: '+8619112345678',
          outcome: 'PERMISSION_DENIED',
        },
      ]);
      expect(await harness.sql('SELECT 1 FROM directive')).toEqual([]);
    });

    it('admits each role where the proto does, and refuses it elsewhere', async () => {
      const matrix: [string, string, number][] = [
        ['/api/oversight', 'police', 403],
        ['/api/oversight', 'auditor', 403],
        ['/api/oversight', 'admin:sichuan', 200],
        ['/api/oversight', 'admin:guangdong', 403], // another province's administration
        ['/api/cases', 'carrier:CMCC', 403],
        ['/api/cases', 'police', 200],
        ['/api/directives', 'carrier:CMCC', 403],
        ['/api/directives', 'analyst', 200],
        ['/api/cells', 'carrier:CMCC', 200],
        ['/api/cells', 'auditor', 403],
        ['/api/numbers/19112345678?purpose=check', 'carrier:CMCC', 403],
      ];
      const answers = await Promise.all(matrix.map(async ([path, role]) => (await harness.get(path, role)).status));
      expect(answers).toEqual(matrix.map(([, , expected]) => expected));
    });
  });

  describe('directives and cells', () => {
    it('POST /api/directives issues to the owning carrier (201); the same key again is a replay (200)', async () => {
      const body = {
        msisdn: '19112345678',
        kind: 'SUSPEND',
        reason: 'harassing CMCC subscribers',
        idempotencyKey: 'dashboard-1',
      };
      const issued = await harness.http<DirectiveJson>('POST', '/api/directives', {
        role: 'admin:sichuan',
        subject: 'officer-li',
        body,
      });
      expect(issued.status).toBe(201);
      expect(issued.body).toMatchObject({
        directive: {
          kind: 'DIRECTIVE_KIND_SUSPEND',
          msisdn: '+8619112345678',
          reason: 'harassing CMCC subscribers',
          issuedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
        },
        carrier: 'CTCC',
        status: 'DIRECTIVE_STATUS_PENDING',
        issuedBy: 'officer-li',
        replayed: false,
      });
      const again = await harness.http<DirectiveJson>('POST', '/api/directives', { role: 'admin:sichuan', body });
      expect(again).toMatchObject({
        status: 200,
        body: { directive: { directiveId: issued.body.directive.directiveId }, replayed: true },
      });

      const listed = await harness.get<{ directives: DirectiveJson[]; nextPageToken: string }>(
        '/api/directives?carrier=CTCC&status=PENDING',
        'analyst',
      );
      expect(listed.body.directives.map((d) => d.directive.directiveId)).toEqual([issued.body.directive.directiveId]);
      expect(listed.body.nextPageToken).toBe('');
    });

    it('refuses a bad directive with the field at fault', async () => {
      const noReason = await harness.http('POST', '/api/directives', {
        role: 'admin:sichuan',
        body: { msisdn: '19112345678', kind: 'SUSPEND' },
      });
      expect(noReason).toMatchObject({ status: 400, body: { error: 'REQUIRED', field: 'reason' } });
      const badKind = await harness.http('POST', '/api/directives', {
        role: 'admin:sichuan',
        body: { msisdn: '19112345678', kind: 'KILL', reason: 'x' },
      });
      expect(badKind).toMatchObject({ status: 400, body: { field: 'kind' } });
      const notJson = await fetch(`${harness.baseUrl}/api/directives`, {
        method: 'POST',
        headers: { authorization: `Bearer ${harness.token('admin:sichuan')}`, 'content-type': 'application/json' },
        body: '{"msisdn": ',
      });
      expect(notJson.status).toBe(400);
      expect(await notJson.json()).toMatchObject({ error: 'INVALID_ARGUMENT' });
    });

    it('adds and removes a high-risk cell; a carrier may read the list but not change it', async () => {
      const added = await harness.http<CellListJson>('POST', '/api/cells', {
        role: 'analyst',
        body: { cell: '460-11-23456-1', reason: 'fraud den', source: 'police:chengdu', expiresInDays: 30 },
      });
      expect(added.status).toBe(201);
      expect(added.body.list.cells).toEqual([
        {
          cell: '460-11-23456-1',
          reason: 'fraud den',
          source: 'police:chengdu',
          addedAt: expect.any(String),
          expiresAt: expect.any(String),
        },
      ]);
      expect(Date.parse(added.body.list.cells[0]!.expiresAt) - Date.parse(added.body.list.cells[0]!.addedAt)).toBe(
        30 * 86_400_000,
      );

      expect((await harness.get<CellListJson>('/api/cells', 'carrier:CTCC')).body.list).toEqual(added.body.list);
      expect(
        (
          await harness.http('POST', '/api/cells', {
            role: 'carrier:CTCC',
            body: { cell: '460-11-23456-2', reason: 'x', source: 'y' },
          })
        ).status,
      ).toBe(403);

      expect(await harness.http('DELETE', '/api/cells/460-11-23456-1', { role: 'analyst' })).toMatchObject({
        status: 400,
        body: { field: 'reason' },
      });
      const removed = await harness.http<CellListJson>(
        'DELETE',
        '/api/cells/460-11-23456-1?reason=cleared%20by%20police',
        { role: 'analyst' },
      );
      expect(removed.status).toBe(200);
      expect(removed.body.list.cells).toEqual([]);
      expect(removed.body.list.version).toBeGreaterThan(added.body.list.version);
    });
  });

  describe('errors', () => {
    it('answers an unknown API route 404 in JSON', async () => {
      expect(await harness.get('/api/nothing-here', 'analyst')).toMatchObject({
        status: 404,
        body: { error: 'NOT_FOUND', message: 'Cannot GET /api/nothing-here' },
      });
    });
  });

  describe('public pages', () => {
    it('serves the dashboard and Chart.js itself, without a token, with a strict content policy', async () => {
      const index = await fetch(`${harness.baseUrl}/`);
      expect(index.status).toBe(200);
      expect(index.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await index.text()).toBe(readFileSync(`${dashboardDir()}/index.html`, 'utf8'));
      expect(index.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(index.headers.get('x-content-type-options')).toBe('nosniff');

      const chart = await fetch(`${harness.baseUrl}/vendor/chart.umd.min.js`);
      expect(chart.status).toBe(200);
      expect(chart.headers.get('content-type')).toMatch(/javascript/);
      expect(Buffer.from(await chart.arrayBuffer()).equals(readFileSync(chartJsFile()))).toBe(true);

      expect((await fetch(`${harness.baseUrl}/styles.css`)).status).toBe(200);
      // The icon the page links, and the one browsers ask for by themselves.
      for (const icon of ['/favicon.svg', '/favicon.ico']) {
        const answer = await fetch(`${harness.baseUrl}${icon}`);
        expect(answer.status).toBe(200);
        expect(answer.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
      }
    });

    it('GET /api/docs lists every endpoint of the OpenAPI document, without a token', async () => {
      const docs = await fetch(`${harness.baseUrl}/api/docs`);
      expect(docs.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const html = await docs.text();
      const document = (await harness.get<{ paths: Record<string, Record<string, unknown>> }>('/api/openapi.json'))
        .body;
      for (const [path, methods] of Object.entries(document.paths)) {
        for (const method of Object.keys(methods))
          expect(html).toContain(`<code>${method.toUpperCase()} ${path}</code>`);
      }
      expect(html).not.toMatch(/<script|https?:\/\/(?!127\.0\.0\.1)/);
    });
  });
});
