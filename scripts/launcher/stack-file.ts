import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ServicePlan } from './plan';

export const STACK_FILE_NAME = 'stack.json';

/**
 * `${DATA_DIR}/stack.json`: where a running `npm start` serves, for fraudctl and
 * other tools, so shifted ports need no exported variable. The keys of
 * `addresses` are the variables fraudctl reads (REGISTRY_ADDRESS, ADMIN_ADDRESS,
 * CARRIER_<ID>_ADDRESS).
 */
export interface StackFile {
  version: 1;
  /** The launcher's process: a file whose pid is gone is stale. */
  pid: number;
  startedAt: string;
  tls: boolean;
  addresses: Record<string, string>;
  /** The dashboard's URL, or null when the plan has no admin. */
  dashboard: string | null;
  /** The folder of the token signing keys (absolute). */
  keyDir: string;
  /** The CA of the servers' certificates (absolute), or null for plaintext. */
  caFile: string | null;
  /**
   * Only when the carriers run as shards (CARRIER_SHARDS): per carrier id, its shard processes in shard order (the
   * carrier's address in `addresses` is its shard 0's).
   */
  shards?: Record<string, StackShard[]>;
}

export interface StackShard {
  /** host:port of its gRPC server. */
  address: string;
  metricsPort: number;
}

export interface StackFileInput {
  pid: number;
  startedAt: Date;
  services: { plan: ServicePlan; address: string }[];
  dashboard?: string;
  keyDir: string;
  caFile?: string;
}

/** The address variable fraudctl reads for a service: REGISTRY_ADDRESS, ADMIN_ADDRESS, CARRIER_CMCC_ADDRESS. */
export function addressVariable(plan: ServicePlan): string {
  return plan.portVariable.replace(/_PORT$/, '_ADDRESS');
}

export function stackFile({ pid, startedAt, services, dashboard, keyDir, caFile }: StackFileInput): StackFile {
  return {
    version: 1,
    pid,
    startedAt: startedAt.toISOString(),
    tls: caFile !== undefined,
    // A carrier run as shards is reached at its shard 0.
    addresses: Object.fromEntries(
      services
        .filter(({ plan }) => (plan.shard?.index ?? 0) === 0)
        .map(({ plan, address }) => [addressVariable(plan), address]),
    ),
    dashboard: dashboard ?? null,
    keyDir: path.resolve(keyDir),
    caFile: caFile === undefined ? null : path.resolve(caFile),
    ...shardsOf(services),
  };
}

function shardsOf(services: StackFileInput['services']): Pick<StackFile, 'shards'> {
  const shards: Record<string, StackShard[]> = {};
  const sharded = services.filter(({ plan }) => plan.shard !== undefined);
  for (const { plan, address } of [...sharded].sort((a, b) => a.plan.shard!.index - b.plan.shard!.index))
    (shards[plan.shard!.carrier] ??= []).push({ address, metricsPort: plan.metrics.port });
  return sharded.length === 0 ? {} : { shards };
}

/** Written beside, then renamed: a reader sees the whole file or none. Returns its path. */
export function writeStackFile(dataDir: string, stack: StackFile): string {
  const file = path.join(dataDir, STACK_FILE_NAME);
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, `${JSON.stringify(stack, null, 2)}\n`);
  renameSync(partial, file);
  return file;
}

/**
 * The file a running stack wrote in `dataDir`, as written (each reader checks the fields it needs); undefined when
 * there is none. A file that is not JSON is an error that names it.
 */
export function readStackFile(dataDir: string): { file: string; stack: Partial<StackFile> | null } | undefined {
  const file = path.resolve(dataDir, STACK_FILE_NAME);
  if (!existsSync(file)) return undefined;
  try {
    return { file, stack: JSON.parse(readFileSync(file, 'utf8')) as Partial<StackFile> | null };
  } catch (error) {
    throw new Error(`${file} is not JSON (${(error as Error).message}): delete it, or restart npm start`, {
      cause: error,
    });
  }
}

export function removeStackFile(file: string): void {
  rmSync(file, { force: true });
}
