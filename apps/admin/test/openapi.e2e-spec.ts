import { OPENAPI_DOCUMENT } from '../src/http/openapi/openapi.document';
import { AdminHarness } from './admin-harness';

interface ExpressLayer {
  route?: { path: string; methods: Record<string, boolean> };
}

/** `METHOD /path/{param}` for every route Express holds, as an OpenAPI path. */
function expressRoutes(harness: AdminHarness): string[] {
  const express = harness.httpApp.getHttpAdapter().getInstance() as { router: { stack: ExpressLayer[] } };
  return express.router.stack.flatMap((layer) =>
    layer.route
      ? Object.keys(layer.route.methods).map(
          (method) => `${method.toUpperCase()} ${layer.route!.path.replace(/:(\w+)/g, '{$1}')}`,
        )
      : [],
  );
}

function documentedRoutes(): string[] {
  return Object.entries(OPENAPI_DOCUMENT.paths).flatMap(([path, methods]) =>
    Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
  );
}

/** Every `$ref` anywhere in a value. */
function refsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, field]) =>
    key === '$ref' && typeof field === 'string' ? [field] : refsIn(field),
  );
}

describe('OpenAPI document (e2e)', () => {
  let harness: AdminHarness;

  beforeAll(async () => {
    harness = await AdminHarness.start();
  });
  afterAll(() => harness.close());

  it('documents every route the service serves, and no other', () => {
    const served = expressRoutes(harness);
    expect(served.length).toBeGreaterThan(10);
    expect([...served].sort()).toEqual(documentedRoutes().sort());
  });

  it('is served as is at /api/openapi.json, without a token', async () => {
    const answer = await harness.get('/api/openapi.json');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(JSON.parse(JSON.stringify(OPENAPI_DOCUMENT)));
  });

  it('resolves every schema reference, names every path parameter, and says who may call each guarded route', () => {
    const schemas = Object.keys(OPENAPI_DOCUMENT.components.schemas);
    for (const ref of refsIn(OPENAPI_DOCUMENT)) expect(schemas).toContain(ref.replace('#/components/schemas/', ''));
    for (const [path, methods] of Object.entries(OPENAPI_DOCUMENT.paths)) {
      const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const operation of Object.values(methods)) {
        expect((operation.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name)).toEqual(inPath);
        const isPublic = path === '/api/openapi.json' || path === '/api/docs';
        expect(operation['x-roles'] === undefined).toBe(isPublic);
        if (!isPublic) expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['401', '403']));
      }
    }
  });

  it('matches what the guard does: a documented public route needs no token, a guarded one does', async () => {
    for (const route of documentedRoutes().filter((r) => r.startsWith('GET ') && !r.includes('{'))) {
      const path = route.slice(4);
      const expected = OPENAPI_DOCUMENT.paths[path]!.get!['x-roles'] === undefined ? 200 : 401;
      expect([route, (await harness.get(path)).status]).toEqual([route, expected]);
    }
  });
});
