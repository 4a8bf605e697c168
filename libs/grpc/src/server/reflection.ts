import { status as GrpcStatus, type Server, type ServerDuplexStream, type ServiceDefinition } from '@grpc/grpc-js';
import { loadFileDescriptorSetFromBuffer } from '@grpc/proto-loader';
import { Writer } from 'protobufjs/minimal';
import type { DescriptorImage, Extension, ImageFile } from './descriptor-image';

export const HEALTH_SERVICE = 'grpc.health.v1.Health';
export const HEALTH_PROTO = 'grpc/health/v1/health.proto';

/** Both versions of server reflection: v1, and v1alpha that older grpcurl, grpcui and Postman ask for. */
const REFLECTION_VERSIONS = [
  { service: 'grpc.reflection.v1.ServerReflection', proto: 'grpc/reflection/v1/reflection.proto' },
  { service: 'grpc.reflection.v1alpha.ServerReflection', proto: 'grpc/reflection/v1alpha/reflection.proto' },
] as const;

export const REFLECTION_SERVICES: readonly string[] = REFLECTION_VERSIONS.map((v) => v.service);
export const REFLECTION_PROTOS: readonly string[] = REFLECTION_VERSIONS.map((v) => v.proto);

/** ServerReflectionRequest as proto-loader decodes it (keepCase, oneofs): one of the request fields is set. */
export interface ReflectionRequest {
  host?: string;
  file_by_filename?: string;
  file_containing_symbol?: string;
  file_containing_extension?: { containing_type?: string; extension_number?: number };
  all_extension_numbers_of_type?: string;
  list_services?: string;
  message_request?: string;
}

export interface ReflectionResponse {
  valid_host: string;
  original_request: ReflectionRequest;
  file_descriptor_response?: { file_descriptor_proto: Buffer[] };
  all_extension_numbers_response?: { base_type_name: string; extension_number: number[] };
  list_services_response?: { service: { name: string }[] };
  error_response?: { error_code: number; error_message: string };
}

/** A request with none of its fields set: the stream ends with this status, as in grpc-go. */
export class InvalidReflectionRequest extends Error {
  readonly code = GrpcStatus.INVALID_ARGUMENT;
  readonly details: string;
  constructor() {
    super(
      'invalid reflection request: none of file_by_filename, file_containing_symbol, file_containing_extension, ' +
        'all_extension_numbers_of_type, list_services is set',
    );
    this.details = this.message;
  }
}

/**
 * gRPC server reflection (v1 and v1alpha) of one port, from the buf image: the
 * descriptors are buf's, byte for byte, under their real file names.
 *
 * - list_services: exactly the services this port serves (`services`).
 * - file_by_filename, file_containing_symbol, file_containing_extension: the file
 *   and its transitive imports, within the files the port serves (`files` and
 *   their imports, so a type a service uses resolves even if its own service is
 *   not served here). Every answer carries all of them: a client may build a
 *   fresh descriptor pool from any one answer.
 * - all_extension_numbers_of_type: the numbers of a message type's extensions
 *   (none in proto3 files); NOT_FOUND for a name that is not a message, as grpc-java.
 */
export class ServerReflection {
  readonly services: readonly string[];
  private readonly files: ReadonlySet<string>;

  constructor(
    private readonly image: DescriptorImage,
    served: { files: readonly string[]; services: readonly string[] },
  ) {
    this.files = new Set(image.withDependencies(served.files).map((f) => f.name));
    for (const service of served.services) {
      const file = image.fileDeclaring(service);
      if (!file?.services.includes(service) || !this.files.has(file.name))
        throw new Error(`reflection: service ${service} is not declared in the files served`);
    }
    this.services = [...served.services].sort();
  }

  /** The answer to one request; throws InvalidReflectionRequest when it asks nothing. */
  answer(request: ReflectionRequest): ReflectionResponse {
    const base = { valid_host: request.host ?? '', original_request: request };
    switch (request.message_request) {
      case 'file_by_filename': {
        const name = request.file_by_filename ?? '';
        return { ...base, ...this.filesAnswer(this.served(this.image.file(name)), `file not found: ${name}`) };
      }
      case 'file_containing_symbol': {
        const symbol = request.file_containing_symbol ?? '';
        return {
          ...base,
          ...this.filesAnswer(this.served(this.image.fileDeclaring(symbol)), `symbol not found: ${symbol}`),
        };
      }
      case 'file_containing_extension': {
        const type = request.file_containing_extension?.containing_type ?? '';
        const number = request.file_containing_extension?.extension_number ?? 0;
        const extension = this.servedExtensions(type).find((e) => e.number === number);
        return {
          ...base,
          ...this.filesAnswer(extension && this.image.file(extension.file), `extension not found: ${type}(${number})`),
        };
      }
      case 'all_extension_numbers_of_type': {
        const type = request.all_extension_numbers_of_type ?? '';
        if (!this.image.isMessage(type) || !this.served(this.image.fileDeclaring(type)))
          return { ...base, ...notFound(`type not found: ${type}`) };
        const numbers = this.servedExtensions(type).map((e) => e.number);
        return {
          ...base,
          all_extension_numbers_response: { base_type_name: type, extension_number: numbers.sort((a, b) => a - b) },
        };
      }
      case 'list_services':
        return { ...base, list_services_response: { service: this.services.map((name) => ({ name })) } };
      default:
        throw new InvalidReflectionRequest();
    }
  }

  /** Registers grpc.reflection.v1 and v1alpha on the server, outside Nest (no token, like health). */
  addToServer(server: Server): void {
    for (const version of REFLECTION_VERSIONS) {
      server.addService(serviceDefinition(this.image, version.proto, version.service), {
        serverReflectionInfo: (call: ServerDuplexStream<ReflectionRequest, ReflectionResponse>) => {
          call.on('data', (request: ReflectionRequest) => {
            try {
              call.write(this.answer(request));
            } catch (error) {
              call.emit('error', error);
            }
          });
          call.on('end', () => call.end());
        },
      });
    }
  }

  private served(file: ImageFile | undefined): ImageFile | undefined {
    return file && this.files.has(file.name) ? file : undefined;
  }

  private servedExtensions(type: string): Extension[] {
    return this.image.extensionsOf(type).filter((e) => this.files.has(e.file));
  }

  private filesAnswer(
    file: ImageFile | undefined,
    missing: string,
  ): Pick<ReflectionResponse, 'file_descriptor_response' | 'error_response'> {
    if (!file) return notFound(missing);
    return {
      file_descriptor_response: { file_descriptor_proto: this.image.withDependencies([file.name]).map((f) => f.bytes) },
    };
  }
}

function notFound(message: string): Pick<ReflectionResponse, 'error_response'> {
  return { error_response: { error_code: GrpcStatus.NOT_FOUND, error_message: message } };
}

/**
 * The grpc-js service definition (the wire codec of the reflection messages) from
 * the reflection proto in the image itself, so nothing but the image is shipped.
 */
function serviceDefinition(image: DescriptorImage, proto: string, service: string): ServiceDefinition {
  const writer = Writer.create();
  for (const file of image.withDependencies([proto])) writer.uint32((1 << 3) | 2).bytes(file.bytes);
  const definition = loadFileDescriptorSetFromBuffer(Buffer.from(writer.finish()), {
    keepCase: true,
    longs: Number,
    enums: String,
    defaults: false,
    oneofs: true,
  });
  return definition[service] as ServiceDefinition;
}
