import { dirname, join } from 'node:path';
import { Metadata, credentials as grpcCredentials, loadPackageDefinition, makeClientConstructor, type ChannelCredentials, type GrpcObject, type ServiceClientConstructor, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { service as healthService } from 'grpc-health-check';

/** Plain grpc-js clients for the built-in services, as a probe or grpcurl would call them. */
export async function healthCheck(address: string, service: string, creds: ChannelCredentials = grpcCredentials.createInsecure()): Promise<string> {
  const Health = makeClientConstructor(healthService as never, 'grpc.health.v1.Health');
  const client = new Health(address, creds);
  try {
    return await new Promise<string>((resolve, reject) =>
      (client.check as Function).call(client, { service }, new Metadata(), { deadline: Date.now() + 5000 }, (error: ServiceError | null, response?: { status: string }) =>
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
      const call = (client.serverReflectionInfo as Function).call(client);
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
