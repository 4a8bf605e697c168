import { dirname, join } from 'node:path';
import type { Server, ServerCredentials } from '@grpc/grpc-js';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { Transport, type GrpcOptions } from '@nestjs/microservices';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { GrpcCallObserver } from './call-observer';
import { GrpcHealth } from './health';
import { keepRepeatedHeaders } from './repeated-headers';
import { formatAddress } from './server-config';
import { MAX_MESSAGE_BYTES, loadProtoDefinition, serviceNamesOf } from './proto';

export interface GrpcServiceSpec {
  /** Relative to PROTO_ROOT, e.g. `fraud/registry/v1/registry.proto`; may be empty. */
  protoFiles: string[];
  /** Packages whose services Nest binds to handlers, e.g. `fraud.registry.v1`; may be empty. */
  packages: string[];
  /** Fully-qualified services reported by grpc.health.v1, e.g. `fraud.registry.v1.RegistryService`. */
  healthServices: string[];
}

export interface GrpcListenConfig {
  host: string;
  port: number;
  credentials: ServerCredentials;
}

/**
 * Nest's gRPC options, plus the server's health service: `health.setServing()`
 * once listening (bootstrapGrpcApp does it), `health.drain()` at shutdown.
 */
export type GrpcServerOptions = GrpcOptions & {
  transport: Transport.GRPC;
  readonly health: GrpcHealth;
  /** Every call's metrics, request id and log line (the bootstrap registers its metrics). */
  readonly calls: GrpcCallObserver;
  /** `host:port` the server binds. */
  readonly address: string;
};

/**
 * Nest microservice options for one of our gRPC servers. Besides the
 * application's services it serves grpc.health.v1 and server reflection (v1 and
 * v1alpha), so `grpcurl -plaintext localhost:PORT list` and health probes work
 * without a token: they are plain grpc-js services, outside Nest's guards.
 */
export function grpcMicroserviceOptions(cfg: GrpcServiceSpec & GrpcListenConfig & { slowCallMs?: number }): GrpcServerOptions {
  const packageDefinition = loadProtoDefinition(cfg.protoFiles);
  const services = serviceNamesOf(packageDefinition);
  for (const pkg of cfg.packages) {
    if (!services.some((s) => s.startsWith(`${pkg}.`))) {
      throw new Error(`gRPC package ${pkg} has no service in ${cfg.protoFiles.join(', ') || '(no proto files)'}`);
    }
  }
  for (const service of cfg.healthServices) {
    if (!services.includes(service)) throw new Error(`health service ${service} is not defined in ${cfg.protoFiles.join(', ') || '(no proto files)'}`);
  }

  const health = new GrpcHealth(cfg.healthServices);
  const calls = new GrpcCallObserver(cfg.slowCallMs);
  const address = formatAddress(cfg.host, cfg.port);
  return {
    transport: Transport.GRPC,
    health,
    calls,
    address,
    options: {
      url: address,
      credentials: cfg.credentials,
      // A grpc-js server interceptor sees every call, refused ones and health checks included.
      channelOptions: { interceptors: [calls.interceptor] },
      // Nest requires a package option; with none, it binds no service of ours and
      // the server still answers health and reflection (admin, carrier for now).
      package: cfg.packages,
      // Loaded here rather than from protoPath so the same definition feeds
      // reflection; an empty object is accepted by Nest when there are no files.
      packageDefinition,
      maxReceiveMessageLength: MAX_MESSAGE_BYTES,
      maxSendMessageLength: MAX_MESSAGE_BYTES,
      onLoadPackageDefinition: (definition: PackageDefinition, server: Server) => {
        keepRepeatedHeaders(server);
        health.attach(server);
        new ReflectionService({ ...definition, ...builtinServiceDefinitions() }).addToServer(server);
      },
    },
  };
}

let builtins: PackageDefinition | undefined;

/** Health and reflection themselves, so reflection lists them next to ours (as grpc-go does). */
function builtinServiceDefinitions(): PackageDefinition {
  if (!builtins) {
    const reflectionProtoRoot = join(dirname(require.resolve('@grpc/reflection')), '..', 'proto');
    builtins = {
      ...loadSync('health/v1/health.proto', { includeDirs: [join(dirname(healthProtoPath), '..', '..')] }),
      ...loadSync(['grpc/reflection/v1/reflection.proto', 'grpc/reflection/v1alpha/reflection.proto'], { includeDirs: [reflectionProtoRoot] }),
    };
  }
  return builtins;
}
