import { isUtf8 } from 'node:buffer';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import {
  loadSync,
  type MethodDefinition,
  type Options,
  type PackageDefinition,
  type ServiceDefinition,
} from '@grpc/proto-loader';
import { BufferReader } from 'protobufjs';

/**
 * The repository's `proto/` folder, found by walking up from this file: the same
 * answer from `libs/grpc/src/server` (jest) and `dist/libs/grpc/src/server` (build).
 */
export const PROTO_ROOT: string = findProtoRoot(__dirname);

function findProtoRoot(start: string): string {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    const candidate = join(dir, 'proto');
    if (isDirectory(join(candidate, 'fraud'))) return candidate;
    if (dirname(dir) === dir) {
      throw new Error(`no proto/fraud folder found above ${start}: ship proto/ next to dist/`);
    }
  }
}

function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

/**
 * proto-loader settings that produce exactly the shapes of the ts-proto types in
 * libs/contracts (buf.gen.yaml): camelCase fields, enums as their names, int64 as
 * number, absent scalars as their defaults. google/protobuf/*.proto come bundled
 * with protobufjs, so only our own folder is on the include path.
 */
export const PROTO_LOADER_OPTIONS = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_ROOT],
} as const satisfies Options;

/** Batch RPCs carry up to 10,000 numbers; 16 MiB leaves room for evidence-heavy pages. */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/**
 * protobufjs reads a string field from a Buffer by cutting its declared length
 * to what is there, so a truncated message decodes with its last string cut
 * short; and it reads invalid UTF-8 as U+FFFD. Both are refused here, as the
 * proto3 specification and the other runtimes do: the message does not decode.
 */
BufferReader.prototype.string = function readString(this: BufferReader): string {
  const length = this.uint32();
  const start = this.pos;
  const end = start + length;
  if (end > this.len)
    throw new RangeError(`string field of ${length} bytes runs past the end of the message (${this.len} bytes)`);
  this.pos = end;
  const bytes = (this.buf as Buffer).subarray(start, end);
  if (!isUtf8(bytes)) throw new RangeError('string field is not valid UTF-8');
  return bytes.toString('utf8');
};

const MALFORMED = Symbol.for('fraud.grpc.malformed-message');

/**
 * What a request message that does not decode becomes, instead of an exception
 * (which grpc-js answers INTERNAL, out of every interceptor's sight): the call
 * observer refuses it as the caller's fault, with the reason.
 */
export interface MalformedMessage {
  readonly [MALFORMED]: string;
}

/** What a decoder answers instead of throwing, for the call observer to refuse with `reason`. */
export function malformedMessage(type: string, error: unknown): MalformedMessage {
  return { [MALFORMED]: `the request is not a well-formed ${type} message: ${(error as Error).message}` };
}

/** Why a request message did not decode, or undefined for a message that did. */
export function malformedReason(message: unknown): string | undefined {
  return typeof message === 'object' && message !== null && MALFORMED in message
    ? (message as MalformedMessage)[MALFORMED]
    : undefined;
}

export interface MethodShape {
  requestStream: boolean;
  responseStream: boolean;
}

const shapes = new Map<string, MethodShape>();

/** Whether a loaded method (`fraud.registry.v1.RegistryService/WatchChanges`) streams its requests or its answers. */
export function methodShape(method: string): MethodShape | undefined {
  return shapes.get(method);
}

/** Request decoders that turn a message that does not decode into a MalformedMessage, and the methods' shapes. */
function prepareMethods(definition: PackageDefinition): void {
  for (const name of serviceNamesOf(definition)) {
    for (const method of Object.values(definition[name] as ServiceDefinition) as MethodDefinition<unknown, unknown>[]) {
      shapes.set(method.path.replace(/^\//, ''), {
        requestStream: method.requestStream,
        responseStream: method.responseStream,
      });
      const decode = method.requestDeserialize as (bytes: Buffer) => unknown;
      const type = `${(method.requestType as { type?: { name?: string } }).type?.name ?? 'request'}`;
      (method as { requestDeserialize: (bytes: Buffer) => unknown }).requestDeserialize = (bytes: Buffer) => {
        try {
          return decode(bytes);
        } catch (error) {
          return malformedMessage(type, error);
        }
      };
    }
  }
}

const definitions = new Map<string, PackageDefinition>();

/** Loads (once per set of files) proto files given relative to PROTO_ROOT. */
export function loadProtoDefinition(protoFiles: readonly string[]): PackageDefinition {
  const key = [...protoFiles].sort().join('\n');
  let definition = definitions.get(key);
  if (!definition) {
    definition =
      protoFiles.length === 0
        ? {}
        : loadSync([...protoFiles], { ...PROTO_LOADER_OPTIONS, includeDirs: [...PROTO_LOADER_OPTIONS.includeDirs] });
    prepareMethods(definition);
    definitions.set(key, definition);
    for (const name of serviceNamesOf(definition)) {
      const short = name.slice(name.lastIndexOf('.') + 1);
      servicesByShortName.set(short, new Set([...(servicesByShortName.get(short) ?? []), name]));
    }
  }
  return definition;
}

const servicesByShortName = new Map<string, Set<string>>();

/**
 * The fully-qualified name of a loaded service from the short name Nest's
 * `@GrpcMethod('RegistryService')` records, when exactly one loaded package has it.
 */
export function fullServiceName(service: string): string | undefined {
  if (service.includes('.')) return service;
  const names = servicesByShortName.get(service);
  return names?.size === 1 ? [...names][0] : undefined;
}

export function isServiceDefinition(value: unknown): value is ServiceDefinition {
  return (
    typeof value === 'object' &&
    value !== null &&
    !('format' in value) &&
    Object.values(value).every((m) => typeof m === 'object' && m !== null && 'path' in m)
  );
}

/** Fully-qualified names of the services in a package definition, e.g. `fraud.registry.v1.RegistryService`. */
export function serviceNamesOf(definition: PackageDefinition): string[] {
  return Object.keys(definition).filter((name) => isServiceDefinition(definition[name]));
}

/**
 * The numbers of a wire enum's values, by name, as the proto files declare them
 * (`fraud.common.v1.NumberStatus`: NUMBER_STATUS_SUSPECTED → 2): for handlers
 * that write the wire format themselves.
 */
export function enumNumbers(protoFiles: readonly string[], enumName: string): ReadonlyMap<string, number> {
  const definition = loadProtoDefinition(protoFiles)[enumName] as
    { format?: string; type?: { value?: { name: string; number: number }[] } } | undefined;
  if (definition?.format !== 'Protocol Buffer 3 EnumDescriptorProto' || !definition.type?.value)
    throw new Error(`${enumName} is not an enum of ${protoFiles.join(', ')}`);
  return new Map(definition.type.value.map((v) => [v.name, v.number]));
}
