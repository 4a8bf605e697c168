import { credentials, type ChannelCredentials } from '@grpc/grpc-js';
import { ConfigError, envBool, envOptional, type Env } from '@app/config';
import { readPem } from '../server/server-config';

/**
 * Channel credentials for calling our other services, validated at boot:
 *
 * - `GRPC_INSECURE=true`: plaintext, an explicit development choice
 * - `GRPC_TLS_CA`: the CA that signed the servers' certificates (TLS)
 * - `GRPC_TLS_CLIENT_CERT` + `GRPC_TLS_CLIENT_KEY`: this service's client
 *   certificate, for servers that require mutual TLS
 *
 * Neither plaintext nor a CA is a configuration error.
 */
export function clientCredentials(env: Env): ChannelCredentials {
  const certFile = envOptional(env, 'GRPC_TLS_CLIENT_CERT');
  const keyFile = envOptional(env, 'GRPC_TLS_CLIENT_KEY');
  if (envBool(env, 'GRPC_INSECURE', false)) {
    const tlsVariable = ['GRPC_TLS_CA', 'GRPC_TLS_CLIENT_CERT', 'GRPC_TLS_CLIENT_KEY'].find(
      (name) => envOptional(env, name) !== undefined,
    );
    if (tlsVariable)
      throw new ConfigError('GRPC_INSECURE', `is true but ${tlsVariable} is also set: choose plaintext or TLS`);
    return credentials.createInsecure();
  }
  if (envOptional(env, 'GRPC_TLS_CA') === undefined) {
    throw new ConfigError(
      'GRPC_TLS_CA',
      'is required to call other services over TLS ' +
        '(with GRPC_TLS_CLIENT_CERT and GRPC_TLS_CLIENT_KEY for mutual TLS), ' +
        'or set GRPC_INSECURE=true for plaintext in development',
    );
  }
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new ConfigError(
      certFile === undefined ? 'GRPC_TLS_CLIENT_CERT' : 'GRPC_TLS_CLIENT_KEY',
      'GRPC_TLS_CLIENT_CERT and GRPC_TLS_CLIENT_KEY go together',
    );
  }
  const ca = readPem(env, 'GRPC_TLS_CA');
  return certFile === undefined
    ? credentials.createSsl(ca)
    : credentials.createSsl(ca, readPem(env, 'GRPC_TLS_CLIENT_KEY'), readPem(env, 'GRPC_TLS_CLIENT_CERT'));
}
