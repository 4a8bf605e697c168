import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { FileDescriptorProto } from 'protobufjs/ext/descriptor';
import { DescriptorImage, descriptorImagePath } from './descriptor-image';
import { PROTO_ROOT } from './proto';

const ROOT = dirname(PROTO_ROOT);

/** Each file's descriptor as JSON, by name: what it says, whatever the byte order of buf's output. */
function contentOf(image: DescriptorImage): Record<string, unknown> {
  return Object.fromEntries(
    image.fileNames.map((name) => [name, FileDescriptorProto.decode(image.file(name)!.bytes).toJSON()]),
  );
}

describe(DescriptorImage.name, () => {
  const image = DescriptorImage.load();

  it('is committed at libs/contracts/src/generated/descriptors.binpb', () => {
    expect(descriptorImagePath()).toBe(join(ROOT, 'libs', 'contracts', 'src', 'generated', 'descriptors.binpb'));
  });

  it('is what buf builds from proto/ and third_party/proto/ now (else: npm run proto)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'descriptor-image-'));
    try {
      const fresh = join(dir, 'descriptors.binpb');
      execFileSync(join(ROOT, 'node_modules', '.bin', 'buf'), ['build', '--as-file-descriptor-set', '-o', fresh], {
        cwd: ROOT,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      expect(contentOf(image)).toEqual(contentOf(DescriptorImage.fromBytes(readFileSync(fresh))));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('holds the files under their real names, with their imports', () => {
    expect(image.fileNames.sort()).toEqual([
      'fraud/admin/v1/admin.proto',
      'fraud/carrier/v1/carrier.proto',
      'fraud/common/v1/common.proto',
      'fraud/registry/v1/registry.proto',
      'fraud/registry/v2/registry.proto',
      'google/protobuf/timestamp.proto',
      'grpc/health/v1/health.proto',
      'grpc/reflection/v1/reflection.proto',
      'grpc/reflection/v1alpha/reflection.proto',
    ]);
    expect(image.file('fraud/admin/v1/admin.proto')).toMatchObject({
      package: 'fraud.admin.v1',
      dependencies: [
        'fraud/carrier/v1/carrier.proto',
        'fraud/common/v1/common.proto',
        'google/protobuf/timestamp.proto',
      ],
      services: ['fraud.admin.v1.AdminService'],
    });
  });

  it('keeps the field names of proto/ and the json_name protoc sets', () => {
    const common = FileDescriptorProto.decode(image.file('fraud/common/v1/common.proto')!.bytes).toJSON() as {
      messageType: { name: string; field: { name: string; jsonName: string }[] }[];
    };
    const evidence = common.messageType.find((m) => m.name === 'Evidence')!;
    expect(evidence.field.map((f) => [f.name, f.jsonName])).toEqual([
      ['summary', 'summary'],
      ['window_start', 'windowStart'],
      ['window_end', 'windowEnd'],
      ['measures', 'measures'],
      ['cells', 'cells'],
    ]);
  });

  it('finds the file of every kind of symbol, with protobuf scoping', () => {
    const fileOf = (symbol: string): string | undefined => image.fileDeclaring(symbol)?.name;
    expect(fileOf('fraud.registry.v1.RegistryService')).toBe('fraud/registry/v1/registry.proto');
    expect(fileOf('fraud.registry.v1.RegistryService.CheckNumbers')).toBe('fraud/registry/v1/registry.proto');
    expect(fileOf('fraud.common.v1.Evidence')).toBe('fraud/common/v1/common.proto');
    expect(fileOf('fraud.common.v1.Evidence.window_start')).toBe('fraud/common/v1/common.proto');
    expect(fileOf('fraud.common.v1.NumberStatus')).toBe('fraud/common/v1/common.proto');
    // Enum values are siblings of their enum, as in C++.
    expect(fileOf('fraud.common.v1.NUMBER_STATUS_CLEARED')).toBe('fraud/common/v1/common.proto');
    expect(fileOf('fraud.common.v1.NumberStatus.NUMBER_STATUS_CLEARED')).toBeUndefined();
    expect(fileOf('grpc.health.v1.HealthListResponse.StatusesEntry')).toBe('grpc/health/v1/health.proto');
    expect(fileOf('grpc.health.v1.HealthCheckResponse.ServingStatus')).toBe('grpc/health/v1/health.proto');
    expect(fileOf('grpc.health.v1.HealthCheckResponse.SERVING')).toBe('grpc/health/v1/health.proto');
    expect(fileOf('grpc.reflection.v1.ServerReflectionRequest.message_request')).toBe(
      'grpc/reflection/v1/reflection.proto',
    );
    expect(fileOf('google.protobuf.Timestamp')).toBe('google/protobuf/timestamp.proto');
    expect(fileOf('fraud.registry.v1')).toBeUndefined();
    expect(fileOf('fraud.registry.v1.NoSuchThing')).toBeUndefined();
    expect(image.isMessage('fraud.common.v1.Evidence')).toBe(true);
    expect(image.isMessage('fraud.common.v1.NumberStatus')).toBe(false);
  });

  it('gives a file with its transitive imports, the file first, each once', () => {
    expect(image.withDependencies(['fraud/admin/v1/admin.proto']).map((f) => f.name)).toEqual([
      'fraud/admin/v1/admin.proto',
      'fraud/carrier/v1/carrier.proto',
      'fraud/common/v1/common.proto',
      'google/protobuf/timestamp.proto',
    ]);
    expect(() => image.withDependencies(['fraud/nothing/v1/nothing.proto'])).toThrow(
      'descriptor image holds no fraud/nothing/v1/nothing.proto: run npm run proto',
    );
  });

  it('serves each file byte for byte as buf wrote it', () => {
    const set = readFileSync(descriptorImagePath());
    for (const name of image.fileNames) expect(set.includes(image.file(name)!.bytes)).toBe(true);
  });
});
