import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { credentials, status as GrpcCode } from '@grpc/grpc-js';
import { Module } from '@nestjs/common';
import { ConfigError } from '@app/config';
import {
  clientCredentials,
  findFreePort,
  grpcMicroserviceOptions,
  grpcServerConfig,
  startGrpcApp,
  type GrpcApp,
} from '@app/grpc';
import { healthCheck } from '@app/testing';

@Module({})
class EmptyAppModule {}

describe('gRPC over mutual TLS with certificates from scripts/make-certs.sh (e2e)', () => {
  let certs: string;
  const servers: GrpcApp[] = [];

  beforeAll(() => {
    certs = mkdtempSync(join(tmpdir(), 'certs-'));
    execFileSync('bash', [resolve(__dirname, '../../../scripts/make-certs.sh'), certs], {
      stdio: 'pipe',
      env: { ...process.env, CERT_SERVICES: 'registry carrier-cmcc' },
    });
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close(500)));
    rmSync(certs, { recursive: true, force: true });
  });

  const start = async (env: Record<string, string>): Promise<{ address: string; security: string }> => {
    const port = await findFreePort();
    const config = grpcServerConfig({ GRPC_HOST: '127.0.0.1', GRPC_PORT: String(port), ...env }, { port: 50051 });
    const server = await startGrpcApp(
      EmptyAppModule,
      grpcMicroserviceOptions({
        protoFiles: [],
        packages: [],
        healthServices: [],
        host: config.host,
        port: config.port,
        credentials: config.credentials,
      }),
      { logger: false },
    );
    servers.push(server);
    // The certificate names localhost and 127.0.0.1; use the name, as a peer would.
    return { address: `localhost:${port}`, security: config.security };
  };
  const serverTls = (): Record<string, string> => ({
    GRPC_TLS_CERT: join(certs, 'registry/server.crt'),
    GRPC_TLS_KEY: join(certs, 'registry/server.key'),
    GRPC_TLS_CA: join(certs, 'ca.crt'),
  });
  const withClientCert = (): Record<string, string> => ({
    GRPC_TLS_CA: join(certs, 'ca.crt'),
    GRPC_TLS_CLIENT_CERT: join(certs, 'carrier-cmcc/client.crt'),
    GRPC_TLS_CLIENT_KEY: join(certs, 'carrier-cmcc/client.key'),
  });

  it('requires a client certificate when GRPC_TLS_CA is set', async () => {
    const { address, security } = await start(serverTls());
    expect(security).toBe('mtls');
    expect(await healthCheck(address, '', clientCredentials(withClientCert()))).toBe('SERVING');
    await expect(
      healthCheck(address, '', clientCredentials({ GRPC_TLS_CA: join(certs, 'ca.crt') })),
    ).rejects.toMatchObject({ code: GrpcCode.UNAVAILABLE });
    await expect(healthCheck(address, '', credentials.createInsecure())).rejects.toMatchObject({
      code: GrpcCode.UNAVAILABLE,
    });
  });

  it('refuses peers certified by another CA', async () => {
    const { address } = await start(serverTls());
    const otherCa = mkdtempSync(join(tmpdir(), 'other-ca-'));
    try {
      execFileSync('bash', [resolve(__dirname, '../../../scripts/make-certs.sh'), otherCa], {
        stdio: 'pipe',
        env: { ...process.env, CERT_SERVICES: 'carrier-cmcc' },
      });
      const creds = clientCredentials({
        GRPC_TLS_CA: join(otherCa, 'ca.crt'),
        GRPC_TLS_CLIENT_CERT: join(otherCa, 'carrier-cmcc/client.crt'),
        GRPC_TLS_CLIENT_KEY: join(otherCa, 'carrier-cmcc/client.key'),
      });
      await expect(healthCheck(address, '', creds)).rejects.toMatchObject({ code: GrpcCode.UNAVAILABLE });
    } finally {
      rmSync(otherCa, { recursive: true, force: true });
    }
  });

  it('serves plain TLS when client authentication is turned off', async () => {
    const { address, security } = await start({ ...serverTls(), GRPC_TLS_CLIENT_AUTH: 'false' });
    expect(security).toBe('tls');
    expect(await healthCheck(address, '', clientCredentials({ GRPC_TLS_CA: join(certs, 'ca.crt') }))).toBe('SERVING');
  });

  it('refuses to start with neither plaintext nor a certificate, naming the variables', () => {
    expect(() => grpcServerConfig({}, { port: 50051 })).toThrow(ConfigError);
    expect(() => grpcServerConfig({}, { port: 50051 })).toThrow(/GRPC_TLS_CERT: is required .*GRPC_INSECURE=true/);
    expect(() => grpcServerConfig({ GRPC_TLS_CERT: join(certs, 'registry/server.crt') }, { port: 50051 })).toThrow(
      'configuration: GRPC_TLS_KEY: is required when GRPC_TLS_CERT is set',
    );
    expect(() => grpcServerConfig({ GRPC_INSECURE: 'true', ...serverTls() }, { port: 50051 })).toThrow(
      /GRPC_INSECURE: is true but GRPC_TLS_CERT is also set/,
    );
    expect(() =>
      grpcServerConfig({ ...serverTls(), GRPC_TLS_CA: join(certs, 'missing.crt') }, { port: 50051 }),
    ).toThrow(/GRPC_TLS_CA: cannot read .*missing\.crt: ENOENT/);
    expect(() =>
      grpcServerConfig({ ...serverTls(), GRPC_TLS_CA: '', GRPC_TLS_CLIENT_AUTH: 'true' }, { port: 50051 }),
    ).toThrow(/GRPC_TLS_CLIENT_AUTH: is true but GRPC_TLS_CA/);
    expect(() => grpcServerConfig({ GRPC_INSECURE: 'true', GRPC_PORT: '70000' }, { port: 50051 })).toThrow(/GRPC_PORT/);
    expect(grpcServerConfig({ GRPC_INSECURE: 'true' }, { port: 50051 })).toMatchObject({
      host: '0.0.0.0',
      port: 50051,
      address: '0.0.0.0:50051',
      security: 'insecure',
    });
    expect(grpcServerConfig({ GRPC_INSECURE: 'true', GRPC_HOST: '::' }, { port: 1 }).address).toBe('[::]:1');
  });

  it('validates client credentials the same way', () => {
    expect(() => clientCredentials({})).toThrow(/GRPC_TLS_CA: is required .*GRPC_INSECURE=true/);
    expect(() =>
      clientCredentials({
        GRPC_TLS_CA: join(certs, 'ca.crt'),
        GRPC_TLS_CLIENT_CERT: join(certs, 'carrier-cmcc/client.crt'),
      }),
    ).toThrow(/GRPC_TLS_CLIENT_KEY: .*go together/);
    expect(() => clientCredentials({ GRPC_TLS_CA: join(certs, 'carrier-cmcc/client.key.missing') })).toThrow(
      /GRPC_TLS_CA: cannot read/,
    );
    expect(clientCredentials({ GRPC_INSECURE: 'true' })._isSecure()).toBe(false);
    expect(clientCredentials(withClientCert())._isSecure()).toBe(true);
  });
});
