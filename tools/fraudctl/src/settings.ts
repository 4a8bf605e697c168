import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { envOptional, type Env } from '../../../libs/config/src/env';
import { CliError } from './errors';
import { ExitCode } from './exit-codes';

/**
 * Where fraudctl's addresses, TLS files and keys come from, highest first: flags, environment variables, the
 * current context of the config file, the running stack's .data/stack.json, built-in defaults. Contexts and
 * stack.json name addresses by the variables fraudctl reads (REGISTRY_ADDRESS, CARRIER_CMCC_ADDRESS, ...), so
 * both are folded in as lower layers of the environment.
 */

/** One named context (kubectl's word): where the services are and how to reach them. */
export interface ContextEntry {
  /** By the variable fraudctl would read: REGISTRY_ADDRESS, ADMIN_ADDRESS, CARRIER_<ID>_ADDRESS. */
  addresses?: Record<string, string>;
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
  /** A directory holding token-signing.key, to mint tokens from (AUTH_KEY_DIR). */
  keyDir?: string;
  /** A bearer token, used for the calls of its own role. */
  token?: string;
}

export interface ConfigFile {
  currentContext?: string;
  contexts: Record<string, ContextEntry>;
}

/** What `npm start` writes to ${DATA_DIR:-.data}/stack.json while it runs. */
export interface StackFile {
  version: number;
  pid: number;
  addresses?: Record<string, string>;
  keyDir?: string | null;
  /** Whether its services speak TLS; then `caFile` names their CA. */
  tls?: boolean;
  caFile?: string | null;
}

export function configPath(env: Env): string {
  return (
    envOptional(env, 'FRAUDCTL_CONFIG') ??
    join(envOptional(env, 'HOME') ?? homedir(), '.config', 'fraudctl', 'config.json')
  );
}

export function readConfig(env: Env): ConfigFile {
  const file = configPath(env);
  if (!existsSync(file)) return { contexts: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CliError(`cannot read the config file ${file}: ${(error as Error).message}`, ExitCode.Other);
  }
  const config = parsed as Partial<ConfigFile> | null;
  if (config === null || typeof config !== 'object' || config.contexts === null)
    throw new CliError(`the config file ${file} is not a fraudctl config (an object with "contexts")`, ExitCode.Other);
  return { currentContext: config.currentContext, contexts: config.contexts ?? {} };
}

/** Written whole, readable by its owner only (it may hold a token): mode 0600 in a 0700 directory. */
export function writeConfig(env: Env, config: ConfigFile): string {
  const file = configPath(env);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, file);
  return file;
}

export function stackPath(env: Env): string {
  return resolve(envOptional(env, 'DATA_DIR') ?? '.data', 'stack.json');
}

/** The running stack's file; undefined when absent, with a warning when it is stale or unreadable. */
export function readStack(env: Env): { stack?: StackFile; warning?: string } {
  const file = stackPath(env);
  if (!existsSync(file)) return {};
  let stack: StackFile;
  try {
    stack = JSON.parse(readFileSync(file, 'utf8')) as StackFile;
  } catch (error) {
    return { warning: `ignoring ${file}: ${(error as Error).message}` };
  }
  if (!Number.isInteger(stack?.pid) || !isAlive(stack.pid))
    return { warning: `ignoring ${file}: the stack that wrote it (pid ${stack?.pid}) is not running` };
  return { stack };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A context as environment variables, the layer it stands for. */
export function contextVariables(entry: ContextEntry | undefined): Env {
  if (!entry) return {};
  return withoutUndefined({
    ...entry.addresses,
    GRPC_TLS_CA: entry.tlsCa,
    GRPC_TLS_CLIENT_CERT: entry.tlsCert,
    GRPC_TLS_CLIENT_KEY: entry.tlsKey,
    AUTH_KEY_DIR: entry.keyDir,
  });
}

export function stackVariables(stack: StackFile | undefined): Env {
  if (!stack) return {};
  return withoutUndefined({
    ...stack.addresses,
    GRPC_TLS_CA: stack.caFile ?? undefined,
    AUTH_KEY_DIR: stack.keyDir ?? undefined,
  });
}

/**
 * Layers of variables, highest first, as one environment. A lower layer's X_ADDRESS gives way to a higher
 * layer's X_PORT: `REGISTRY_PORT=50061` in the shell beats the context's registry address.
 */
export function layered(...layers: Env[]): Env {
  const merged: Env = {};
  for (const layer of layers) {
    for (const [name, value] of Object.entries(layer)) {
      if (value === undefined || name in merged) continue;
      if (name.endsWith('_ADDRESS') && merged[`${name.slice(0, -'_ADDRESS'.length)}_PORT`] !== undefined) continue;
      merged[name] = value;
    }
  }
  return merged;
}

function withoutUndefined(variables: Record<string, string | undefined>): Env {
  return Object.fromEntries(Object.entries(variables).filter(([, value]) => value !== undefined)) as Env;
}
