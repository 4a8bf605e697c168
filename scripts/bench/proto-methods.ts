import type { MethodDefinition } from '@grpc/grpc-js';
import { loadProtoDefinition } from '@app/grpc';

/** A method of a service as the services load it (their proto-loader options): its serializers, its path. */
export function protoMethod<Request = unknown, Response = unknown>(
  protoFile: string,
  service: string,
  method: string,
): MethodDefinition<Request, Response> {
  const definition = loadProtoDefinition([protoFile])[service] as unknown as
    Record<string, MethodDefinition<Request, Response>> | undefined;
  const found = definition?.[method];
  if (!found) throw new Error(`${service}/${method} is not in ${protoFile}`);
  return found;
}

/** The protobuf bytes of a request, encoded by the method's own serializer. */
export function encodeRequest(protoFile: string, service: string, method: string, request: unknown): Buffer {
  return protoMethod(protoFile, service, method).requestSerialize(request);
}
