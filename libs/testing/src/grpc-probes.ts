/**
 * Plain grpc-js clients for the built-in services, as a load balancer, a
 * container health check or grpcurl would call them: no Nest, no token.
 */
import { dirname, join } from 'node:path';
import {
  Metadata,
  credentials as grpcCredentials,
  makeClientConstructor,
  type ChannelCredentials,
  type ClientDuplexStream,
  type ServiceDefinition,
  type ServiceError,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { service as healthService } from 'grpc-health-check';
import { PROTO_ROOT } from '@app/grpc';

/** The vendored gRPC protos (health, reflection), beside proto/. */
export const THIRD_PARTY_PROTO_ROOT = join(dirname(PROTO_ROOT), 'third_party', 'proto');

type HealthCheck = (
  request: { service: string },
  metadata: Metadata,
  options: { deadline: number },
  callback: (error: ServiceError | null, response?: { status: string }) => void,
) => unknown;

/**
 * `grpc.health.v1.Health/Check` of `service` ('' is the whole server): SERVING, NOT_SERVING, ...;
 * rejects with the call's ServiceError.
 */
export async function healthCheck(
  address: string,
  service: string,
  creds: ChannelCredentials = grpcCredentials.createInsecure(),
  timeoutMs = 5000,
): Promise<string> {
  const Health = makeClientConstructor(healthService as never, 'grpc.health.v1.Health');
  const client = new Health(address, creds);
  try {
    return await new Promise<string>((resolve, reject) =>
      (client.check as HealthCheck).call(
        client,
        { service },
        new Metadata(),
        { deadline: Date.now() + timeoutMs },
        (error, response) => (error ? reject(error) : resolve(response!.status)),
      ),
    );
  } finally {
    client.close();
  }
}

export type ReflectionVersion = 'v1' | 'v1alpha';

export interface ReflectionResponse {
  validHost: string;
  originalRequest: Record<string, unknown>;
  listServicesResponse?: { service: { name: string }[] };
  fileDescriptorResponse?: { fileDescriptorProto: Buffer[] };
  allExtensionNumbersResponse?: { baseTypeName: string; extensionNumber: number[] };
  errorResponse?: { errorCode: number; errorMessage: string };
}

/**
 * Requests on one ServerReflectionInfo stream, e.g. [{ listServices: '*' }], and
 * their answers in order. The client's messages come from the upstream reflection
 * protos (third_party/proto) through protobufjs's parser, not from the buf image
 * the server answers from.
 */
export async function reflectStream(
  address: string,
  requests: Record<string, unknown>[],
  version: ReflectionVersion = 'v1',
): Promise<ReflectionResponse[]> {
  const definition = loadSync(`grpc/reflection/${version}/reflection.proto`, {
    includeDirs: [THIRD_PARTY_PROTO_ROOT],
    longs: Number,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const Reflection = makeClientConstructor(
    definition[`grpc.reflection.${version}.ServerReflection`] as ServiceDefinition,
    `grpc.reflection.${version}.ServerReflection`,
  );
  const client = new Reflection(address, grpcCredentials.createInsecure());
  try {
    return await new Promise<ReflectionResponse[]>((resolve, reject) => {
      const responses: ReflectionResponse[] = [];
      const call = (
        client.serverReflectionInfo as () => ClientDuplexStream<Record<string, unknown>, ReflectionResponse>
      ).call(client);
      call.on('data', (response: ReflectionResponse) => responses.push(response));
      call.on('error', reject);
      call.on('end', () => resolve(responses));
      for (const request of requests) call.write(request);
      call.end();
    });
  } finally {
    client.close();
  }
}

/** One request on a ServerReflectionInfo stream, e.g. { listServices: '*' }. */
export async function reflect(
  address: string,
  request: Record<string, unknown>,
  version: ReflectionVersion = 'v1',
): Promise<ReflectionResponse> {
  const [response] = await reflectStream(address, [request], version);
  if (!response) throw new Error('the reflection stream ended without an answer');
  return response;
}
