import { readdirSync } from 'node:fs';
import path from 'node:path';
import { Root, Type, type NamespaceBase } from 'protobufjs';
import { PROTO_ROOT } from '@app/grpc';
import { AdminHarness } from '../../apps/admin/test/admin-harness';
import { CarrierHarness } from '../../apps/carrier/test/carrier-harness';
import { RegistryHarness } from '../../apps/registry/test/registry-harness';
import { runPython } from './probe';

const CHECK = path.join(__dirname, 'reflection_check.py');
const BUILTIN = [
  'grpc.health.v1.Health',
  'grpc.reflection.v1.ServerReflection',
  'grpc.reflection.v1alpha.ServerReflection',
];
const NOT_FOUND = 5;

interface ServiceFound {
  files: string[];
  methods: Record<string, [string, string]>;
  resolved: string[];
}

/** What reflection_check.py saw on one port over one reflection version (the script documents each field). */
interface CheckResult {
  port: string;
  version: 'v1' | 'v1alpha';
  listed: string[];
  services: Record<string, ServiceFound>;
  files: Record<string, string[] | { error_code: number; error_message: string }>;
  health_map_entry: boolean;
  extension: { error_code?: number; answer?: string };
  extension_numbers: { base_type_name?: string; extension_number?: number[]; error_code?: number };
  unknown_type: { error_code?: number; answer?: string };
  fields_checked: number;
  problems: string[];
}

/** Every message of proto/ with its field names, as protobufjs's own parser reads the sources (not buf). */
function fieldsOfProto(): Record<string, string[]> {
  const files = readdirSync(PROTO_ROOT, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.proto'));
  const root = new Root();
  root.resolvePath = (origin, target) => (path.isAbsolute(target) ? target : path.join(PROTO_ROOT, target));
  root.loadSync(
    files.map((f) => path.join(PROTO_ROOT, f)),
    { keepCase: true },
  );
  const fields: Record<string, string[]> = {};
  const visit = (namespace: NamespaceBase): void => {
    for (const nested of namespace.nestedArray) {
      if (nested instanceof Type && nested.fullName.startsWith('.fraud.'))
        fields[nested.fullName.slice(1)] = nested.fieldsArray.map((f) => f.name);
      if ('nestedArray' in nested) visit(nested as NamespaceBase);
    }
  };
  visit(root);
  return fields;
}

describe('server reflection, as a standard client (C-core gRPC, Google protobuf descriptor pools) uses it', () => {
  let registry: RegistryHarness;
  let admin: AdminHarness;
  let carrier: CarrierHarness;
  let results: CheckResult[];
  const fields = fieldsOfProto();
  /** Application services per port, and the fraud packages whose messages its answers carry. */
  const expected = {
    registry: {
      services: ['fraud.registry.v1.RegistryService', 'fraud.registry.v2.RegistryService'],
      packages: ['fraud.registry.v1', 'fraud.registry.v2', 'fraud.common.v1'],
    },
    admin: {
      services: ['fraud.admin.v1.AdminService'],
      packages: ['fraud.admin.v1', 'fraud.carrier.v1', 'fraud.common.v1'],
    },
    carrier: { services: ['fraud.carrier.v1.CarrierService'], packages: ['fraud.carrier.v1', 'fraud.common.v1'] },
  };
  const resultsOf = (port: keyof typeof expected): CheckResult[] => results.filter((r) => r.port === port);

  beforeAll(async () => {
    registry = await RegistryHarness.start();
    admin = await AdminHarness.start();
    carrier = await CarrierHarness.start('CTCC');
    ({ results } = await runPython<{ results: CheckResult[] }>(CHECK, {
      versions: ['v1', 'v1alpha'],
      fields,
      resolve: ['fraud.common.v1.Evidence', 'google.protobuf.Timestamp'],
      ports: [
        {
          name: 'registry',
          target: registry.address,
          files: ['fraud/registry/v1/registry.proto', 'fraud/registry/v2/registry.proto', 'fraud/admin/v1/admin.proto'],
        },
        {
          name: 'admin',
          target: admin.address,
          describe: ['fraud.carrier.v1.CarrierService'],
          files: ['fraud/carrier/v1/carrier.proto', 'grpc/health/v1/health.proto'],
        },
        { name: 'carrier', target: carrier.address, files: ['grpc/reflection/v1alpha/reflection.proto'] },
      ],
    }));
  }, 120_000);

  afterAll(async () => {
    await Promise.all([registry?.close(), admin?.close(), carrier?.close()]);
  });

  it('answers every port over v1 and v1alpha with descriptors a fresh protobuf pool loads, without a problem', () => {
    expect(results.map((r) => `${r.port} ${r.version}`)).toEqual([
      'registry v1',
      'registry v1alpha',
      'admin v1',
      'admin v1alpha',
      'carrier v1',
      'carrier v1alpha',
    ]);
    for (const result of results)
      expect({ port: result.port, version: result.version, problems: result.problems }).toEqual({
        port: result.port,
        version: result.version,
        problems: [],
      });
  });

  it('lists on each port exactly what it serves: its own service, health and reflection', () => {
    for (const [port, { services }] of Object.entries(expected)) {
      for (const result of resultsOf(port as keyof typeof expected))
        expect([port, result.listed]).toEqual([port, [...services, ...BUILTIN]]);
    }
    for (const result of resultsOf('admin')) expect(result.listed).not.toContain('fraud.carrier.v1.CarrierService');
  });

  it('resolves each listed service, its methods’ messages and common types from its declaring file and imports', () => {
    const firstFile: Record<string, string> = {
      'fraud.registry.v1.RegistryService': 'fraud/registry/v1/registry.proto',
      'fraud.registry.v2.RegistryService': 'fraud/registry/v2/registry.proto',
      'fraud.admin.v1.AdminService': 'fraud/admin/v1/admin.proto',
      'fraud.carrier.v1.CarrierService': 'fraud/carrier/v1/carrier.proto',
      'grpc.health.v1.Health': 'grpc/health/v1/health.proto',
      'grpc.reflection.v1.ServerReflection': 'grpc/reflection/v1/reflection.proto',
      'grpc.reflection.v1alpha.ServerReflection': 'grpc/reflection/v1alpha/reflection.proto',
    };
    for (const result of results) {
      for (const service of result.listed) {
        const found = result.services[service]!;
        expect([result.port, result.version, service, found.files[0]]).toEqual([
          result.port,
          result.version,
          service,
          firstFile[service],
        ]);
        expect(Object.keys(found.methods).length).toBeGreaterThan(0);
        if (service.startsWith('fraud.')) {
          expect(found.files).toEqual(
            expect.arrayContaining(['fraud/common/v1/common.proto', 'google/protobuf/timestamp.proto']),
          );
          expect(found.resolved).toEqual(['fraud.common.v1.Evidence', 'google.protobuf.Timestamp']);
        }
      }
    }
    const [registryV1] = resultsOf('registry');
    expect(registryV1!.services['fraud.registry.v1.RegistryService']!.methods.CheckNumbers).toEqual([
      'fraud.registry.v1.CheckNumbersRequest',
      'fraud.registry.v1.CheckNumbersResponse',
    ]);
    expect(registryV1!.services['fraud.registry.v2.RegistryService']!.methods).toEqual({
      CheckNumbers: ['fraud.registry.v2.CheckNumbersRequest', 'fraud.registry.v2.CheckNumbersResponse'],
    });
    expect(registryV1!.services['grpc.reflection.v1.ServerReflection']!.methods.ServerReflectionInfo).toEqual([
      'grpc.reflection.v1.ServerReflectionRequest',
      'grpc.reflection.v1.ServerReflectionResponse',
    ]);
  });

  it('keeps the field names of proto/ (snake_case, json_name as protoc sets it) for every message it serves', () => {
    for (const [port, { packages }] of Object.entries(expected)) {
      const messages = Object.keys(fields).filter((name) => packages.some((p) => name.startsWith(`${p}.`)));
      expect(messages.length).toBeGreaterThan(10);
      for (const result of resultsOf(port as keyof typeof expected))
        expect([port, result.fields_checked]).toEqual([port, messages.length]);
    }
    expect(fields['fraud.common.v1.Evidence']).toEqual(['summary', 'window_start', 'window_end', 'measures', 'cells']);
  });

  it('serves a valid health descriptor (its map entry made by the compiler)', () => {
    for (const result of results)
      expect([result.port, result.version, result.health_map_entry]).toEqual([result.port, result.version, true]);
  });

  it('serves the files a port’s files import by name and symbol, not the files of other ports', () => {
    for (const result of resultsOf('admin')) {
      expect(result.files['fraud/carrier/v1/carrier.proto']).toEqual([
        'fraud/carrier/v1/carrier.proto',
        'fraud/common/v1/common.proto',
        'google/protobuf/timestamp.proto',
      ]);
      expect(result.services['fraud.carrier.v1.CarrierService']!.methods.CheckCall).toEqual([
        'fraud.carrier.v1.CheckCallRequest',
        'fraud.carrier.v1.CheckCallResponse',
      ]);
      expect(result.files['grpc/health/v1/health.proto']).toEqual(['grpc/health/v1/health.proto']);
    }
    for (const result of resultsOf('registry')) {
      expect(result.files['fraud/registry/v1/registry.proto']).toEqual([
        'fraud/registry/v1/registry.proto',
        'fraud/common/v1/common.proto',
        'google/protobuf/timestamp.proto',
      ]);
      expect(result.files['fraud/registry/v2/registry.proto']).toEqual([
        'fraud/registry/v2/registry.proto',
        'fraud/common/v1/common.proto',
        'google/protobuf/timestamp.proto',
      ]);
      expect(result.files['fraud/admin/v1/admin.proto']).toMatchObject({ error_code: NOT_FOUND });
    }
    for (const result of resultsOf('carrier'))
      expect(result.files['grpc/reflection/v1alpha/reflection.proto']).toEqual([
        'grpc/reflection/v1alpha/reflection.proto',
      ]);
  });

  it('answers extension requests as reference servers do: NOT_FOUND, and no numbers for one without extensions', () => {
    for (const result of results) {
      expect(result.extension).toMatchObject({ error_code: NOT_FOUND });
      expect(result.extension_numbers).toEqual({ base_type_name: 'fraud.common.v1.Evidence', extension_number: [] });
      expect(result.unknown_type).toMatchObject({ error_code: NOT_FOUND });
    }
  });
});
