import type { Server, ServerCredentials } from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';
import type { Type } from '@nestjs/common';
import { Transport, type GrpcOptions } from '@nestjs/microservices';
import { GrpcCallObserver } from './call-observer';
import { DescriptorImage } from './descriptor-image';
import { GrpcServer } from './grpc-server';
import { GrpcHealth } from './health';
import type { PlainUnaryRpc } from './plain-unary';
import { HEALTH_PROTO, HEALTH_SERVICE, REFLECTION_PROTOS, REFLECTION_SERVICES, ServerReflection } from './reflection';
import { keepRepeatedHeaders } from './repeated-headers';
import { formatAddress } from './server-config';
import { MAX_MESSAGE_BYTES, loadProtoDefinition } from './proto';

export interface GrpcServiceSpec {
  /** Relative to PROTO_ROOT, e.g. `fraud/registry/v1/registry.proto`; may be empty. */
  protoFiles: string[];
  /**
   * Packages whose services Nest binds to handlers, e.g. `fraud.registry.v1`; may be
   * empty. The port serves (and reflection lists) the services of these packages
   * that are declared in `protoFiles` themselves, never those of the files they
   * import: see applicationServices.
   */
  packages: string[];
  /**
   * Fully-qualified services reported by grpc.health.v1, e.g. `fraud.registry.v1.RegistryService`;
   * served ones only.
   */
  healthServices: string[];
  /**
   * Unary RPCs served by plain grpc-js handlers instead of Nest's (server/plain-unary):
   * provider classes of the app, e.g. the carrier's CheckCall. None when absent.
   */
  plainRpcs?: readonly Type<PlainUnaryRpc>[];
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
  /** The transport Nest runs (a custom strategy): Nest's handlers and the plain ones, on one grpc-js Server. */
  readonly server: GrpcServer;
};

/**
 * Nest microservice options for one of our gRPC servers. Besides the
 * application's services it serves grpc.health.v1 and server reflection (v1 and
 * v1alpha) from the committed buf image, so `grpcurl -plaintext localhost:PORT list`,
 * grpcui, Postman and health probes work without a token: they are plain grpc-js
 * services, outside Nest's guards.
 */
export function grpcMicroserviceOptions(
  cfg: GrpcServiceSpec & GrpcListenConfig & { slowCallMs?: number },
): GrpcServerOptions {
  const image = DescriptorImage.load();
  const services = applicationServices(cfg, image);
  for (const service of cfg.healthServices) {
    if (!services.includes(service))
      throw new Error(`health service ${service} is not served: it is not a service of ${describeSpec(cfg)}`);
  }
  const reflection = new ServerReflection(image, {
    files: [...cfg.protoFiles, HEALTH_PROTO, ...REFLECTION_PROTOS],
    services: [...services, HEALTH_SERVICE, ...REFLECTION_SERVICES],
  });
  const packageDefinition = loadProtoDefinition(cfg.protoFiles);

  const health = new GrpcHealth(cfg.healthServices);
  const calls = new GrpcCallObserver(cfg.slowCallMs);
  const address = formatAddress(cfg.host, cfg.port);
  const options: GrpcOptions['options'] = {
    url: address,
    credentials: cfg.credentials,
    // A grpc-js server interceptor sees every call, refused ones and health checks included.
    channelOptions: { interceptors: [calls.interceptor] },
    // Nest requires a package option; with none, it binds no service of ours and
    // the server still answers health and reflection.
    package: cfg.packages,
    // Loaded once per set of files (clients share it); an empty object is
    // accepted by Nest when there are no files.
    packageDefinition,
    maxReceiveMessageLength: MAX_MESSAGE_BYTES,
    maxSendMessageLength: MAX_MESSAGE_BYTES,
    onLoadPackageDefinition: (_definition: PackageDefinition, server: Server) => {
      keepRepeatedHeaders(server);
      health.attach(server);
      reflection.addToServer(server);
    },
  };
  return {
    transport: Transport.GRPC,
    health,
    calls,
    address,
    options,
    server: new GrpcServer(options, calls, cfg.plainRpcs ?? []),
  };
}

/**
 * The application services a port serves, e.g. `fraud.admin.v1.AdminService`:
 * the services declared in its own `protoFiles` whose package is one of
 * `packages`, which is what Nest binds. A file's imports lend it types, not
 * services: admin.proto imports carrier.proto, and the admin does not serve
 * CarrierService. Every package must contribute a service.
 */
export function applicationServices(
  spec: Pick<GrpcServiceSpec, 'protoFiles' | 'packages'>,
  image: DescriptorImage = DescriptorImage.load(),
): string[] {
  const services: string[] = [];
  for (const name of spec.protoFiles) {
    const file = image.file(name);
    if (!file) throw new Error(`${name} is not in the descriptor image: run npm run proto`);
    if (spec.packages.includes(file.package)) services.push(...file.services);
  }
  for (const pkg of spec.packages) {
    if (!services.some((s) => s.startsWith(`${pkg}.`)))
      throw new Error(`gRPC package ${pkg} has no service in ${describeSpec(spec)}`);
  }
  return services;
}

function describeSpec(spec: Pick<GrpcServiceSpec, 'protoFiles' | 'packages'>): string {
  return spec.protoFiles.length === 0
    ? '(no proto files)'
    : `${spec.packages.join(', ') || '(no packages)'} in ${spec.protoFiles.join(', ')}`;
}
