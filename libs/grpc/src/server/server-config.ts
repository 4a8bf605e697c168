import { readFileSync } from 'node:fs';
import { ServerCredentials } from '@grpc/grpc-js';
import { ConfigError, envBool, envInt, envOptional, envString, type Env } from '@app/config';

export type TransportSecurity = 'insecure' | 'tls' | 'mtls';

export interface GrpcServerConfig {
  host: string;
  port: number;
  /** `host:port`, brackets added for IPv6. */
  address: string;
  credentials: ServerCredentials;
  security: TransportSecurity;
}

/**
 * The server side of gRPC transport security, validated at boot:
 *
 * - `GRPC_HOST` (default 0.0.0.0), `GRPC_PORT` (default per service)
 * - `GRPC_INSECURE=true`: plaintext, an explicit development choice
 * - `GRPC_TLS_CERT` + `GRPC_TLS_KEY`: the server's certificate chain and key (PEM files)
 * - `GRPC_TLS_CA`: CA of the clients' certificates; when set, callers must present
 *   one (mutual TLS) unless `GRPC_TLS_CLIENT_AUTH=false`
 *
 * Neither plaintext nor a certificate is a configuration error, never a silent default.
 */
export function grpcServerConfig(env: Env, defaults: { port: number }): GrpcServerConfig {
  const host = envString(env, 'GRPC_HOST', '0.0.0.0');
  const port = envInt(env, 'GRPC_PORT', defaults.port, 0, 65535);
  const address = formatAddress(host, port);
  const insecure = envBool(env, 'GRPC_INSECURE', false);
  const certFile = envOptional(env, 'GRPC_TLS_CERT');
  const keyFile = envOptional(env, 'GRPC_TLS_KEY');
  const caFile = envOptional(env, 'GRPC_TLS_CA');

  if (insecure) {
    const tlsVariable = ['GRPC_TLS_CERT', 'GRPC_TLS_KEY', 'GRPC_TLS_CA'].find(
      (name) => envOptional(env, name) !== undefined,
    );
    if (tlsVariable)
      throw new ConfigError('GRPC_INSECURE', `is true but ${tlsVariable} is also set: choose plaintext or TLS`);
    return { host, port, address, credentials: ServerCredentials.createInsecure(), security: 'insecure' };
  }
  if (certFile === undefined) {
    throw new ConfigError(
      'GRPC_TLS_CERT',
      'is required (with GRPC_TLS_KEY, optionally GRPC_TLS_CA for mutual TLS), ' +
        'or set GRPC_INSECURE=true for plaintext in development',
    );
  }
  if (keyFile === undefined) throw new ConfigError('GRPC_TLS_KEY', 'is required when GRPC_TLS_CERT is set');

  const clientAuth = envBool(env, 'GRPC_TLS_CLIENT_AUTH', caFile !== undefined);
  if (clientAuth && caFile === undefined)
    throw new ConfigError('GRPC_TLS_CLIENT_AUTH', "is true but GRPC_TLS_CA (the clients' CA) is not set");

  const ca = caFile === undefined ? null : readPem(env, 'GRPC_TLS_CA');
  const credentials = ServerCredentials.createSsl(
    ca,
    [{ cert_chain: readPem(env, 'GRPC_TLS_CERT'), private_key: readPem(env, 'GRPC_TLS_KEY') }],
    clientAuth,
  );
  return { host, port, address, credentials, security: clientAuth ? 'mtls' : 'tls' };
}

/** Reads the PEM file named by a variable; a missing or unreadable file names the variable. */
export function readPem(env: Env, variable: string): Buffer {
  const file = envString(env, variable);
  let pem: Buffer;
  try {
    pem = readFileSync(file);
  } catch (error) {
    throw new ConfigError(
      variable,
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  if (!pem.toString('latin1').includes('-----BEGIN ')) throw new ConfigError(variable, `${file} is not a PEM file`);
  return pem;
}

export function formatAddress(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}
