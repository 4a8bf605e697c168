import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Module } from '@nestjs/common';
import { parse } from 'yaml';
import { loadAnchorKey } from '@app/audit';
import type { Env } from '@app/config';
import {
  clientCredentials,
  findFreePort,
  grpcMicroserviceOptions,
  grpcServerConfig,
  loadOrCreateSigningKeys,
  loadVerificationKey,
  startGrpcApp,
} from '@app/grpc';
import { metricsListenConfig } from '@app/observability';
import { resolveDatabaseUrl } from '@app/persistence';
import { healthCheck } from '@app/testing';
import { carrierConfig } from '../apps/carrier/src/config/carrier.config';
import { loadNationalIdHashKey } from '../apps/carrier/src/reactivation/national-id-key';
import { launchPlan, type ServicePlan } from './launcher/plan';

/**
 * Docker is not available to the tests: docker-compose.yml is checked against
 * the code instead (ports, carrier ids, variable names), and its TLS settings
 * against real certificates from scripts/make-certs.sh.
 */
const ROOT = path.resolve(__dirname, '..');

interface BindMount {
  source: string;
  target: string;
}

interface ComposeService {
  command?: string[];
  environment?: Env;
  ports?: string[];
  expose?: string[];
  volumes?: (BindMount | string)[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};
/** What `npm start` runs with no settings: the services and ports the code defaults to. */
const defaults: ServicePlan[] = launchPlan({}).flat();
const serviceOf = (plan: ServicePlan): ComposeService => compose.services[plan.name]!;

/** Variables the services read through @app/config's helpers (test files aside). */
function variablesReadByServices(): Set<string> {
  const read = /\benv(?:String|Int|Bool|Enum|Optional)\(\s*[\w.]+,\s*'([A-Z][A-Z0-9_]*)'/g;
  const files = ['apps', 'libs'].flatMap((top) =>
    readdirSync(path.join(ROOT, top), { recursive: true, encoding: 'utf8' })
      .filter((file) => /\/src\/.*\.ts$/.test(file) && !/\.(spec|int-spec|e2e-spec)\.ts$/.test(file))
      .map((file) => path.join(ROOT, top, file)),
  );
  return new Set(files.flatMap((file) => [...readFileSync(file, 'utf8').matchAll(read)].map((match) => match[1]!)));
}

describe('docker-compose.yml', () => {
  it('runs PostgreSQL, exactly the services npm start runs, and Prometheus and Grafana beside them', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      ['postgres', 'prometheus', 'grafana', ...defaults.map((s) => s.name)].sort(),
    );
  });

  it.each(defaults.map((plan) => [plan.name, plan] as const))(
    'runs %s from its main, on its default ports, published as is',
    (_, plan) => {
      const service = serviceOf(plan);
      expect(service.command).toEqual([`dist/apps/${plan.app}/src/main.js`]);
      expect(service.environment).toMatchObject(plan.env); // GRPC_PORT, METRICS_PORT, and CARRIER_ID for a carrier
      expect(service.ports).toEqual(
        [plan.port, ...(plan.http ? [plan.http.port] : [])].map((port) => `${port}:${port}`),
      ); // the admin's dashboard too
      // Metrics stay on the compose network: exposed to a Prometheus beside them, not published.
      expect(service.expose).toEqual([String(plan.metrics.port)]);
      expect(metricsListenConfig(service.environment!, -1)).toEqual({ host: '0.0.0.0', port: plan.metrics.port });
      if (plan.app === 'carrier')
        expect(carrierConfig(service.environment!)).toMatchObject({
          defaultPort: plan.port,
          defaultMetricsPort: plan.metrics.port,
        });
    },
  );

  it('starts in health order, each service once the one before it is healthy', () => {
    const order = Object.fromEntries(Object.entries(compose.services).map(([name, s]) => [name, s.depends_on]));
    expect(order).toEqual({
      postgres: undefined,
      registry: { postgres: { condition: 'service_healthy' } },
      admin: { registry: { condition: 'service_healthy' } },
      'carrier-cmcc': { admin: { condition: 'service_healthy' } },
      'carrier-cucc': { admin: { condition: 'service_healthy' } },
      'carrier-ctcc': { admin: { condition: 'service_healthy' } },
      prometheus: undefined, // it scrapes whatever answers, and says what does not (alert FraudServiceDown)
      grafana: { prometheus: { condition: 'service_started' } },
    });
    for (const plan of defaults)
      expect(serviceOf(plan).healthcheck?.test).toEqual(['CMD', 'node', 'dist/scripts/health-probe.js']);
  });

  it('sets only variables the services read', () => {
    const known = variablesReadByServices();
    const unknown = defaults.flatMap((plan) =>
      Object.keys(serviceOf(plan).environment ?? {}).filter((name) => !known.has(name)),
    );
    expect(unknown).toEqual([]);
  });

  it("gives each service its own database on the postgres service, with that server's credentials", () => {
    const { POSTGRES_USER, POSTGRES_PASSWORD } = compose.services.postgres!.environment!;
    for (const plan of defaults) {
      const url = new URL(
        resolveDatabaseUrl(plan.database.service, plan.database.instance, serviceOf(plan).environment ?? {})!,
      );
      expect([url.hostname, url.port, url.username, url.password]).toEqual([
        'postgres',
        '5432',
        POSTGRES_USER,
        POSTGRES_PASSWORD,
      ]);
      expect(url.pathname).toBe(`/fraud_${plan.name.replace('-', '_')}`);
    }
  });

  describe('with the certificates of scripts/make-certs.sh and a token key in .data', () => {
    let hostRoot: string;

    beforeAll(() => {
      hostRoot = mkdtempSync(path.join(tmpdir(), 'compose-'));
      execFileSync('bash', [path.join(ROOT, 'scripts', 'make-certs.sh'), path.join(hostRoot, '.data', 'certs')], {
        stdio: 'pipe',
      });
      loadOrCreateSigningKeys(path.join(hostRoot, '.data', 'keys'));
      writeFileSync(path.join(hostRoot, '.data', 'keys', 'national-id.key'), `${'0f'.repeat(32)}\n`, { mode: 0o600 });
      execFileSync(
        'openssl',
        ['genpkey', '-algorithm', 'ed25519', '-out', path.join(hostRoot, '.data', 'keys', 'audit-anchor.key')],
        { stdio: 'pipe' },
      );
    });
    afterAll(() => rmSync(hostRoot, { recursive: true, force: true }));

    /** The service's variables, container paths replaced by where its bind mounts come from. */
    const hostEnv = (service: ComposeService): Env => {
      const mounts = (service.volumes ?? []).filter((v): v is BindMount => typeof v === 'object');
      const onHost = (value: string): string => {
        const mount = mounts.find((m) => value === m.target || value.startsWith(`${m.target}/`));
        return mount ? path.join(hostRoot, mount.source, value.slice(mount.target.length)) : value;
      };
      return Object.fromEntries(
        Object.entries(service.environment ?? {}).map(([name, value]) => [name, onHost(value!)]),
      );
    };

    @Module({})
    class EmptyModule {}

    it.each(defaults.map((plan) => [plan.name, plan] as const))(
      '%s serves mutual TLS, verifies tokens, and passes its container health check',
      async (_, plan) => {
        const env = hostEnv(serviceOf(plan));
        expect(() => loadVerificationKey(env)).not.toThrow();
        // The image runs with NODE_ENV=production: a carrier must be given its national ID hash key.
        if (plan.app === 'carrier')
          expect(() => loadNationalIdHashKey({ ...env, NODE_ENV: 'production' })).not.toThrow();
        // The registry must be given its audit anchor signing key likewise.
        if (plan.app === 'registry')
          expect(loadAnchorKey({ ...env, NODE_ENV: 'production' })).toMatchObject({ created: false });
        const port = await findFreePort();
        const server = grpcServerConfig(
          { ...env, GRPC_HOST: '127.0.0.1', GRPC_PORT: String(port) },
          { port: plan.port },
        );
        expect(server.security).toBe('mtls');
        const app = await startGrpcApp(
          EmptyModule,
          grpcMicroserviceOptions({ protoFiles: [], packages: [], healthServices: [], ...server }),
          { logger: false },
        );
        try {
          // As dist/scripts/health-probe.js does inside the container.
          expect(await healthCheck(`localhost:${port}`, '', clientCredentials(env))).toBe('SERVING');
        } finally {
          await app.close(0);
        }
      },
    );
  });
});
