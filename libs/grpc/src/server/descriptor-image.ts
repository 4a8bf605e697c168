import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Reader } from 'protobufjs/minimal';
import {
  FileDescriptorProto,
  type IDescriptorProto,
  type IEnumDescriptorProto,
  type IFieldDescriptorProto,
  type IFileDescriptorProto,
} from 'protobufjs/ext/descriptor';

/**
 * The buf image of proto/ and third_party/proto/ (`npm run proto`), relative to the
 * repository root: committed, so nothing runs buf at start-up.
 */
export const DESCRIPTOR_IMAGE_FILE = join('libs', 'contracts', 'src', 'generated', 'descriptors.binpb');

let imagePath: string | undefined;

/**
 * The image's path, found by walking up from this file as PROTO_ROOT is: the same
 * answer from libs/grpc/src/server (jest) and dist/libs/grpc/src/server (build, image).
 */
export function descriptorImagePath(): string {
  if (!imagePath) {
    for (let dir = resolve(__dirname); ; dir = dirname(dir)) {
      const candidate = join(dir, DESCRIPTOR_IMAGE_FILE);
      if (existsSync(candidate)) {
        imagePath = candidate;
        break;
      }
      if (dirname(dir) === dir)
        throw new Error(
          `no ${DESCRIPTOR_IMAGE_FILE} found above ${__dirname}: run npm run proto, and ship it next to dist/`,
        );
    }
  }
  return imagePath;
}

/** One file of the image: its FileDescriptorProto exactly as buf wrote it, and what it declares. */
export interface ImageFile {
  /** e.g. `fraud/registry/v1/registry.proto` */
  readonly name: string;
  readonly package: string;
  /** The serialized FileDescriptorProto, byte for byte from the image. */
  readonly bytes: Buffer;
  readonly dependencies: readonly string[];
  /** Fully-qualified names of the services it declares, e.g. `fraud.registry.v1.RegistryService`. */
  readonly services: readonly string[];
}

type SymbolKind = 'message' | 'field' | 'oneof' | 'enum' | 'enum value' | 'extension' | 'service' | 'method';

export interface Extension {
  readonly file: string;
  /** Fully-qualified, without the leading dot. */
  readonly extendee: string;
  readonly number: number;
}

/**
 * A FileDescriptorSet indexed by file and by fully-qualified symbol, with protobuf's
 * scoping: nested messages and enums, fields, oneofs, methods, extensions, and enum
 * values as siblings of their enum (`fraud.common.v1.NUMBER_STATUS_CLEARED`), which is
 * what protoc, grpc-go and the C++ descriptor pool resolve.
 */
export class DescriptorImage {
  private readonly files = new Map<string, ImageFile>();
  private readonly symbols = new Map<string, { file: string; kind: SymbolKind }>();
  private readonly extensions: Extension[] = [];

  private constructor(fileBytes: Buffer[]) {
    for (const bytes of fileBytes) {
      const proto = FileDescriptorProto.decode(bytes) as unknown as IFileDescriptorProto;
      const name = proto.name ?? '';
      if (this.files.has(name)) throw new Error(`descriptor image: ${name} appears twice`);
      const pkg = proto.package ?? '';
      const services = (proto.service ?? []).map((s) => qualify(pkg, s.name ?? ''));
      this.files.set(name, {
        name,
        package: pkg,
        bytes,
        dependencies: [...((proto.dependency as string[] | undefined) ?? [])],
        services,
      });
      this.index(name, pkg, proto);
    }
    for (const file of this.files.values()) {
      for (const dependency of file.dependencies) {
        if (!this.files.has(dependency))
          throw new Error(`descriptor image: ${file.name} imports ${dependency}, which it does not hold`);
      }
    }
  }

  /** Decodes a FileDescriptorSet (e.g. `buf build --as-file-descriptor-set` output), keeping each file's bytes. */
  static fromBytes(set: Uint8Array): DescriptorImage {
    const reader = Reader.create(set);
    const files: Buffer[] = [];
    while (reader.pos < reader.len) {
      const tag = reader.uint32();
      // FileDescriptorSet.file = 1, length-delimited; nothing else is defined.
      if (tag === ((1 << 3) | 2)) files.push(Buffer.from(reader.bytes()));
      else reader.skipType(tag & 7);
    }
    return new DescriptorImage(files);
  }

  static load(path: string = descriptorImagePath()): DescriptorImage {
    let image = loaded.get(path);
    if (!image) {
      image = DescriptorImage.fromBytes(readFileSync(path));
      loaded.set(path, image);
    }
    return image;
  }

  get fileNames(): string[] {
    return [...this.files.keys()];
  }

  file(name: string): ImageFile | undefined {
    return this.files.get(name);
  }

  /** The file that declares a fully-qualified symbol (message, field, enum value, service, method, ...). */
  fileDeclaring(symbol: string): ImageFile | undefined {
    const found = this.symbols.get(symbol);
    return found && this.files.get(found.file);
  }

  isMessage(symbol: string): boolean {
    return this.symbols.get(symbol)?.kind === 'message';
  }

  /** Extensions of a message type (`fraud.x.v1.Thing`, no leading dot), with the file declaring each. */
  extensionsOf(messageType: string): readonly Extension[] {
    return this.extensions.filter((e) => e.extendee === messageType);
  }

  /**
   * The files and everything they import, directly or not, each once: the files
   * first, then their imports breadth-first (the order grpc-go answers in).
   */
  withDependencies(names: readonly string[]): ImageFile[] {
    const out: ImageFile[] = [];
    const seen = new Set<string>();
    const queue = [...names];
    while (queue.length > 0) {
      const name = queue.shift()!;
      if (seen.has(name)) continue;
      seen.add(name);
      const file = this.files.get(name);
      if (!file) throw new Error(`descriptor image holds no ${name}: run npm run proto`);
      out.push(file);
      queue.push(...file.dependencies);
    }
    return out;
  }

  private index(file: string, pkg: string, proto: IFileDescriptorProto): void {
    for (const message of proto.messageType ?? []) this.indexMessage(file, pkg, message);
    for (const en of proto.enumType ?? []) this.indexEnum(file, pkg, en);
    for (const extension of proto.extension ?? []) this.indexExtension(file, pkg, extension);
    for (const service of proto.service ?? []) {
      const name = qualify(pkg, service.name ?? '');
      this.add(name, file, 'service');
      for (const method of service.method ?? []) this.add(`${name}.${method.name ?? ''}`, file, 'method');
    }
  }

  private indexMessage(file: string, scope: string, message: IDescriptorProto): void {
    const name = qualify(scope, message.name ?? '');
    this.add(name, file, 'message');
    for (const field of message.field ?? []) this.add(`${name}.${field.name ?? ''}`, file, 'field');
    for (const oneof of message.oneofDecl ?? []) this.add(`${name}.${oneof.name ?? ''}`, file, 'oneof');
    for (const nested of message.nestedType ?? []) this.indexMessage(file, name, nested);
    for (const en of message.enumType ?? []) this.indexEnum(file, name, en);
    for (const extension of message.extension ?? []) this.indexExtension(file, name, extension);
  }

  private indexEnum(file: string, scope: string, en: IEnumDescriptorProto): void {
    this.add(qualify(scope, en.name ?? ''), file, 'enum');
    for (const value of en.value ?? []) this.add(qualify(scope, value.name ?? ''), file, 'enum value');
  }

  private indexExtension(file: string, scope: string, extension: IFieldDescriptorProto): void {
    this.add(qualify(scope, extension.name ?? ''), file, 'extension');
    this.extensions.push({
      file,
      extendee: (extension.extendee ?? '').replace(/^\./, ''),
      number: extension.number ?? 0,
    });
  }

  private add(symbol: string, file: string, kind: SymbolKind): void {
    const existing = this.symbols.get(symbol);
    if (existing) throw new Error(`descriptor image: ${symbol} is declared in ${existing.file} and ${file}`);
    this.symbols.set(symbol, { file, kind });
  }
}

const loaded = new Map<string, DescriptorImage>();

function qualify(scope: string, name: string): string {
  return scope ? `${scope}.${name}` : name;
}
