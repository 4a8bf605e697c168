/**
 * Plain grpc-js clients for the built-in services, as a load balancer, a
 * container health check or grpcurl would call them: no Nest, no token.
 */
import { dirname, join } from 'node:path';
import {
  Metadata,
  credentials as grpcCredentials,
  loadPackageDefinition,
  makeClientConstructor,
  type ChannelCredentials,
  type ClientDuplexStream,
  type GrpcObject,
  type ServiceClientConstructor,
  type ServiceError,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { service as healthService } from 'grpc-health-check';

type HealthCheck = (
  request: { service: string },
  metadata: Metadata,
  options: { deadline: number },
  callback: (error: ServiceError | null, response?: { status: string }) => void,
) => unknown;

/** `grpc.health.v1.Health/Check` of `service` ('' is the whole server): SERVING, NOT_SERVING, ...; rejects with the call's ServiceError. */
export async function healthCheck(address: string, service: string, creds: ChannelCredentials = grpcCredentials.createInsecure(), timeoutMs = 5000): Promise<string> {
  const Health = makeClientConstructor(healthService as never, 'grpc.health.v1.Health');
  const client = new Health(address, creds);
  try {
    return await new Promise<string>((resolve, reject) =>
      (client.check as HealthCheck).call(client, { service }, new Metadata(), { deadline: Date.now() + timeoutMs }, (error, response) =>
        error ? reject(error) : resolve(response!.status),
      ),
    );
  } finally {
    client.close();
  }
}

interface ReflectionResponse {
  listServicesResponse?: { service: { name: string }[] };
  fileDescriptorResponse?: { fileDescriptorProto: Buffer[] };
  errorResponse?: { errorCode: number; errorMessage: string };
}

/** One request on the v1 ServerReflectionInfo stream, e.g. { listServices: '*' }. */
export async function reflect(address: string, request: Record<string, unknown>): Promise<ReflectionResponse> {
  const root = join(dirname(require.resolve('@grpc/reflection')), '..', 'proto');
  const definition = loadSync('grpc/reflection/v1/reflection.proto', { includeDirs: [root], longs: String, enums: String, defaults: true, oneofs: true });
  const pkg = loadPackageDefinition(definition) as unknown as { grpc: { reflection: { v1: GrpcObject } } };
  const Reflection = pkg.grpc.reflection.v1.ServerReflection as ServiceClientConstructor;
  const client = new Reflection(address, grpcCredentials.createInsecure());
  try {
    return await new Promise<ReflectionResponse>((resolve, reject) => {
      const call = (client.serverReflectionInfo as () => ClientDuplexStream<Record<string, unknown>, ReflectionResponse>).call(client);
      call.on('data', (response: ReflectionResponse) => {
        resolve(response);
        call.end();
      });
      call.on('error', reject);
      call.write(request);
    });
  } finally {
    client.close();
  }
}
