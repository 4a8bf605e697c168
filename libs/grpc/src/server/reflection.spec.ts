import { status as GrpcStatus } from '@grpc/grpc-js';
import { FileDescriptorProto } from 'protobufjs/ext/descriptor';
import { DescriptorImage } from './descriptor-image';
import { applicationServices } from './grpc-options';
import {
  HEALTH_PROTO,
  HEALTH_SERVICE,
  InvalidReflectionRequest,
  REFLECTION_PROTOS,
  REFLECTION_SERVICES,
  ServerReflection,
  type ReflectionResponse,
} from './reflection';

const image = DescriptorImage.load();
const ADMIN = { protoFiles: ['fraud/admin/v1/admin.proto'], packages: ['fraud.admin.v1'] };
const REGISTRY = { protoFiles: ['fraud/registry/v1/registry.proto'], packages: ['fraud.registry.v1'] };

/** The reflection of a port serving `spec`, as grpcMicroserviceOptions builds it. */
function reflectionOf(spec: { protoFiles: string[]; packages: string[] }): ServerReflection {
  return new ServerReflection(image, {
    files: [...spec.protoFiles, HEALTH_PROTO, ...REFLECTION_PROTOS],
    services: [...applicationServices(spec, image), HEALTH_SERVICE, ...REFLECTION_SERVICES],
  });
}

const fileNames = (response: ReflectionResponse): string[] =>
  (response.file_descriptor_response?.file_descriptor_proto ?? []).map(
    (bytes) => (FileDescriptorProto.decode(bytes) as unknown as { name: string }).name,
  );

describe(ServerReflection.name, () => {
  const admin = reflectionOf(ADMIN);
  const registry = reflectionOf(REGISTRY);

  it('lists only the services the port serves: its own, health and reflection', () => {
    const answer = admin.answer({ list_services: '*', message_request: 'list_services' });
    expect(answer.list_services_response!.service.map((s) => s.name)).toEqual([
      'fraud.admin.v1.AdminService',
      'grpc.health.v1.Health',
      'grpc.reflection.v1.ServerReflection',
      'grpc.reflection.v1alpha.ServerReflection',
    ]);
  });

  it('echoes the request and its host, as grpc-go does', () => {
    const request = { host: 'localhost:50052', list_services: '', message_request: 'list_services' };
    expect(admin.answer(request)).toMatchObject({ valid_host: 'localhost:50052', original_request: request });
  });

  it('answers file_containing_symbol with the file and its transitive imports, byte for byte', () => {
    const answer = registry.answer({
      file_containing_symbol: 'fraud.registry.v1.RegistryService',
      message_request: 'file_containing_symbol',
    });
    expect(fileNames(answer)).toEqual([
      'fraud/registry/v1/registry.proto',
      'fraud/common/v1/common.proto',
      'google/protobuf/timestamp.proto',
    ]);
    expect(answer.file_descriptor_response!.file_descriptor_proto[0]).toBe(
      image.file('fraud/registry/v1/registry.proto')!.bytes,
    );
  });

  it.each([
    ['fraud.registry.v1.RegistryService.CheckNumbers', 'fraud/registry/v1/registry.proto'],
    ['fraud.registry.v1.CheckNumbersRequest', 'fraud/registry/v1/registry.proto'],
    ['fraud.common.v1.Evidence', 'fraud/common/v1/common.proto'],
    ['fraud.common.v1.Evidence.window_start', 'fraud/common/v1/common.proto'],
    ['fraud.common.v1.NUMBER_STATUS_CONFIRMED', 'fraud/common/v1/common.proto'],
    ['google.protobuf.Timestamp', 'google/protobuf/timestamp.proto'],
    ['grpc.health.v1.HealthListResponse.StatusesEntry', 'grpc/health/v1/health.proto'],
    ['grpc.reflection.v1alpha.ServerReflection', 'grpc/reflection/v1alpha/reflection.proto'],
  ])('finds %s in %s', (symbol, file) => {
    expect(
      fileNames(registry.answer({ file_containing_symbol: symbol, message_request: 'file_containing_symbol' }))[0],
    ).toBe(file);
  });

  it('serves the files a served file imports, services included, without listing those services', () => {
    const bySymbol = admin.answer({
      file_containing_symbol: 'fraud.carrier.v1.CarrierService',
      message_request: 'file_containing_symbol',
    });
    expect(fileNames(bySymbol)).toEqual([
      'fraud/carrier/v1/carrier.proto',
      'fraud/common/v1/common.proto',
      'google/protobuf/timestamp.proto',
    ]);
    const byName = admin.answer({
      file_by_filename: 'fraud/carrier/v1/carrier.proto',
      message_request: 'file_by_filename',
    });
    expect(fileNames(byName)[0]).toBe('fraud/carrier/v1/carrier.proto');
  });

  it('answers NOT_FOUND for files and symbols the port does not serve', () => {
    const notFound = (message: string): ReflectionResponse['error_response'] => ({
      error_code: GrpcStatus.NOT_FOUND,
      error_message: message,
    });
    expect(
      registry.answer({ file_by_filename: 'fraud/admin/v1/admin.proto', message_request: 'file_by_filename' })
        .error_response,
    ).toEqual(notFound('file not found: fraud/admin/v1/admin.proto'));
    expect(
      registry.answer({
        file_containing_symbol: 'fraud.admin.v1.AdminService',
        message_request: 'file_containing_symbol',
      }).error_response,
    ).toEqual(notFound('symbol not found: fraud.admin.v1.AdminService'));
    expect(
      registry.answer({ file_containing_symbol: 'fraud.registry.v1', message_request: 'file_containing_symbol' })
        .error_response,
    ).toEqual(notFound('symbol not found: fraud.registry.v1'));
  });

  it('answers extension requests as reference servers do: NOT_FOUND, or no numbers for one without extensions', () => {
    const extension = registry.answer({
      file_containing_extension: { containing_type: 'fraud.common.v1.Evidence', extension_number: 100 },
      message_request: 'file_containing_extension',
    });
    expect(extension.error_response).toEqual({
      error_code: GrpcStatus.NOT_FOUND,
      error_message: 'extension not found: fraud.common.v1.Evidence(100)',
    });
    expect(
      registry.answer({
        all_extension_numbers_of_type: 'fraud.common.v1.Evidence',
        message_request: 'all_extension_numbers_of_type',
      }),
    ).toMatchObject({
      all_extension_numbers_response: { base_type_name: 'fraud.common.v1.Evidence', extension_number: [] },
    });
    for (const type of [
      'fraud.common.v1.NoSuchType',
      'fraud.common.v1.NumberStatus',
      'fraud.registry.v1.RegistryService',
      'fraud.admin.v1.IssueDirectiveRequest',
    ]) {
      expect(
        registry.answer({ all_extension_numbers_of_type: type, message_request: 'all_extension_numbers_of_type' })
          .error_response,
      ).toEqual({
        error_code: GrpcStatus.NOT_FOUND,
        error_message: `type not found: ${type}`,
      });
    }
  });

  it('refuses a request that asks nothing with INVALID_ARGUMENT', () => {
    expect(() => registry.answer({ host: '' })).toThrow(InvalidReflectionRequest);
    expect(new InvalidReflectionRequest()).toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT });
  });

  it('refuses to list a service that is not in the files it serves', () => {
    expect(
      () =>
        new ServerReflection(image, {
          files: ['fraud/admin/v1/admin.proto'],
          services: ['fraud.registry.v1.RegistryService'],
        }),
    ).toThrow('reflection: service fraud.registry.v1.RegistryService is not declared in the files served');
  });
});

describe(applicationServices.name, () => {
  it('takes the services of the listed packages declared in the port’s own files, not in their imports', () => {
    expect(applicationServices(ADMIN, image)).toEqual(['fraud.admin.v1.AdminService']);
    expect(
      applicationServices({ protoFiles: ['fraud/carrier/v1/carrier.proto'], packages: ['fraud.carrier.v1'] }, image),
    ).toEqual(['fraud.carrier.v1.CarrierService']);
    expect(applicationServices({ protoFiles: [], packages: [] }, image)).toEqual([]);
  });

  it('refuses a package without a service in the port’s own files, and a file the image lacks', () => {
    expect(() =>
      applicationServices({ protoFiles: ['fraud/admin/v1/admin.proto'], packages: ['fraud.carrier.v1'] }, image),
    ).toThrow('gRPC package fraud.carrier.v1 has no service in fraud.carrier.v1 in fraud/admin/v1/admin.proto');
    expect(() => applicationServices({ protoFiles: ['fraud/nothing/v1/nothing.proto'], packages: [] }, image)).toThrow(
      'fraud/nothing/v1/nothing.proto is not in the descriptor image: run npm run proto',
    );
  });
});
