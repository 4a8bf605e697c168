import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { credentials as grpcCredentials, Metadata, type ChannelCredentials } from '@grpc/grpc-js';
import type { carrier } from '@app/contracts';
import { CARRIER_IDS, isCarrierId, ValidationError, type CarrierId } from '@app/domain';
// The files themselves, not the @app/config and @app/grpc barrels: those load NestJS, seconds of start-up for a CLI.
import { envOptional, type Env } from '../../../libs/config/src/env';
import { authKeyDir, SIGNING_KEY_FILE } from '../../../libs/grpc/src/auth/keys';
import { mintToken } from '../../../libs/grpc/src/auth/mint';
import {
  clientStreaming,
  createGrpcClient,
  unary,
  type GrpcServiceClient,
} from '../../../libs/grpc/src/client/grpc-client';
import { ADMIN_DEFAULT_PORT } from '../../../apps/admin/src/admin.grpc';
import { CARRIER_DEFAULT_PORTS } from '../../../apps/carrier/src/config/carrier-ports';
import { REGISTRY_DEFAULT_PORT } from '../../../apps/registry/src/registry.grpc';
import { CliError, describeServiceError, isServiceError, UsageError } from './errors';
import { ExitCode } from './exit-codes';
import { toJson, type Writer } from './output';
import { configPath, contextVariables, layered, readConfig, readStack, stackPath, stackVariables } from './settings';

/** Options every command takes (docs/fraudctl.md). */
export const GLOBAL_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
  token: { type: 'string' },
  registry: { type: 'string' },
  admin: { type: 'string' },
  'carrier-addr': { type: 'string' },
  'tls-ca': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  timeout: { type: 'string' },
  context: { type: 'string' },
} as const;

export const GLOBAL_HELP = [
  'Global options:',
  '  --json                 machine-readable JSON on stdout instead of tables',
  "  --token TOKEN          bearer token for every call (else the role's variable, else one minted from the dev key)",
  '  --registry HOST:PORT   registry address   (REGISTRY_ADDRESS, default 127.0.0.1:$REGISTRY_PORT or 50051)',
  '  --admin HOST:PORT      admin address      (ADMIN_ADDRESS, default 127.0.0.1:$ADMIN_PORT or 50052)',
  '  --carrier-addr H:P     the carrier called (CARRIER_<ID>_ADDRESS, default 127.0.0.1:$CARRIER_<ID>_PORT or 5006x)',
  "  --tls-ca FILE          CA of the servers' certificates: TLS instead of plaintext (GRPC_TLS_CA)",
  '  --tls-cert FILE        client certificate for mutual TLS (GRPC_TLS_CLIENT_CERT), ' +
    'with --tls-key (GRPC_TLS_CLIENT_KEY)',
  '  --timeout SECONDS      per call (default 10)',
  '  --context NAME         a saved context instead of the current one (FRAUDCTL_CONTEXT; see fraudctl context)',
  '  -v, --verbose          say which address and token source each call uses (on stderr)',
  '  -h, --help             this help',
];

export interface GlobalValues {
  json?: boolean;
  verbose?: boolean;
  token?: string;
  registry?: string;
  admin?: string;
  'carrier-addr'?: string;
  'tls-ca'?: string;
  'tls-cert'?: string;
  'tls-key'?: string;
  timeout?: string;
  context?: string;
  /** Only on the commands that change state (state-change.ts). */
  'dry-run'?: boolean;
}

export interface Io {
  stdout: Writer;
  stderr: Writer;
  env: Env;
}

/** A service called: its name in messages, its address, its gRPC service and proto file. */
export interface Target {
  label: string;
  address: string;
  protoService: string;
  protoFile: string;
}

/** Minted tokens live five minutes: long enough for one command, short enough to leak harmlessly. */
const MINTED_TTL_SECONDS = 300;
const DEFAULT_TIMEOUT_SECONDS = 10;

/** What one command invocation talks to, and how it prints. */
export class Context {
  readonly json: boolean;
  readonly verbose: boolean;
  private readonly timeoutMs: number;
  private readonly clients = new Map<string, GrpcServiceClient>();
  private channelCredentials: ChannelCredentials | undefined;
  private readonly tokens = new Map<string, { token: string; source: string }>();
  private settings: { env: Env; context?: string; contextToken?: string } | undefined;

  constructor(
    private readonly io: Io,
    private readonly values: GlobalValues,
  ) {
    this.json = values.json === true;
    this.verbose = values.verbose === true;
    const timeout = values.timeout === undefined ? DEFAULT_TIMEOUT_SECONDS : Number(values.timeout);
    if (!(timeout > 0 && timeout <= 3600))
      throw new UsageError(`--timeout takes seconds between 1 and 3600, got ${values.timeout}`);
    this.timeoutMs = timeout * 1000;
  }

  /** The variables fraudctl reads: the environment over the current context over .data/stack.json. */
  get env(): Env {
    return this.resolveSettings().env;
  }

  /** The process's own environment: where the config file and the data directory are. */
  get processEnv(): Env {
    return this.io.env;
  }

  /** The context in use: --context, else FRAUDCTL_CONTEXT, else the config file's current one. */
  get contextName(): string | undefined {
    return this.resolveSettings().context;
  }

  private resolveSettings(): { env: Env; context?: string; contextToken?: string } {
    if (this.settings) return this.settings;
    const config = readConfig(this.io.env);
    const chosen = this.values.context ?? envOptional(this.io.env, 'FRAUDCTL_CONTEXT');
    const name = chosen ?? config.currentContext;
    const entry = name === undefined ? undefined : config.contexts[name];
    if (name !== undefined && entry === undefined)
      throw new UsageError(
        `no context "${name}" in ${configPath(this.io.env)}` +
          (chosen === undefined ? ' (its currentContext): run fraudctl context use NAME' : ''),
      );
    const { stack, warning } = readStack(this.io.env);
    if (warning) this.io.stderr.write(`fraudctl: ${warning}\n`);
    const env = layered(this.io.env, contextVariables(entry), stackVariables(stack));
    // Never plaintext to a stack that speaks TLS: its token would go out in clear.
    if (stack?.tls === true && envOptional(env, 'GRPC_TLS_CA') === undefined)
      throw new CliError(
        `${stackPath(this.io.env)} says its services speak TLS but names no CA file (caFile): ` +
          'set GRPC_TLS_CA to the CA that signed their certificates',
        ExitCode.Other,
      );
    this.settings = {
      env,
      context: name,
      contextToken: entry?.token,
    };
    if (name !== undefined) this.note(`context ${name} from ${configPath(this.io.env)}`);
    if (stack) this.note(`stack of pid ${stack.pid} from ${stackPath(this.io.env)}`);
    return this.settings;
  }

  /** Lines on stdout. */
  print(lines: string | string[]): void {
    for (const line of typeof lines === 'string' ? [lines] : lines) this.io.stdout.write(`${line}\n`);
  }

  /** The --json answer. */
  printJson(value: unknown): void {
    this.io.stdout.write(`${toJson(value)}\n`);
  }

  /** A note on stderr, shown with --verbose only. */
  note(message: string): void {
    if (this.verbose) this.io.stderr.write(`fraudctl: ${message}\n`);
  }

  registry(): Target {
    const address =
      this.values.registry ??
      envOptional(this.env, 'REGISTRY_ADDRESS') ??
      `127.0.0.1:${envOptional(this.env, 'REGISTRY_PORT') ?? REGISTRY_DEFAULT_PORT}`;
    return {
      label: `the registry (${address})`,
      address,
      protoService: 'fraud.registry.v1.RegistryService',
      protoFile: 'fraud/registry/v1/registry.proto',
    };
  }

  /** The registry's v2 service (CheckNumbers in its compact form), on the same address. */
  registryV2(): Target {
    return {
      ...this.registry(),
      protoService: 'fraud.registry.v2.RegistryService',
      protoFile: 'fraud/registry/v2/registry.proto',
    };
  }

  admin(): Target {
    const address =
      this.values.admin ??
      envOptional(this.env, 'ADMIN_ADDRESS') ??
      `127.0.0.1:${envOptional(this.env, 'ADMIN_PORT') ?? ADMIN_DEFAULT_PORT}`;
    return {
      label: `the admin (${address})`,
      address,
      protoService: 'fraud.admin.v1.AdminService',
      protoFile: 'fraud/admin/v1/admin.proto',
    };
  }

  carrier(id: CarrierId): Target {
    const address =
      this.values['carrier-addr'] ??
      envOptional(this.env, `CARRIER_${id}_ADDRESS`) ??
      `127.0.0.1:${envOptional(this.env, `CARRIER_${id}_PORT`) ?? CARRIER_DEFAULT_PORTS[id]}`;
    return {
      label: `carrier ${id} (${address})`,
      address,
      protoService: 'fraud.carrier.v1.CarrierService',
      protoFile: 'fraud/carrier/v1/carrier.proto',
    };
  }

  /**
   * The admin role a minted token carries: the province of ADMIN_PROVINCE (as
   * the admin service reads it), default sichuan.
   */
  adminRole(): string {
    const province = envOptional(this.env, 'ADMIN_PROVINCE');
    if (province !== undefined) return `admin:${province}`;
    // A context's admin token names its own province.
    const contextRole = this.values.token === undefined ? roleOfToken(this.resolveSettings().contextToken ?? '') : '';
    return contextRole?.startsWith('admin:') ? contextRole : 'admin:sichuan';
  }

  /**
   * A unary call with the role's token and the deadline; a gRPC failure becomes
   * a CliError naming the status, the server and its message.
   */
  async call<Response>(target: Target, role: string, method: string, request: unknown): Promise<Response> {
    const client = this.client(target);
    const metadata = this.metadata(role);
    this.note(`${target.protoService.split('.').at(-1)}/${method} on ${target.label}`);
    try {
      return await unary<Response>(client, method, request, metadata, { deadline: Date.now() + this.timeoutMs });
    } catch (error) {
      throw isServiceError(error) ? describeServiceError(error, target.label) : error;
    }
  }

  /**
   * Under --dry-run, prints the write a command would make (service, method, address, role, request) and
   * answers true: the command then stops, having sent nothing. Without --dry-run, false.
   */
  dryRun(target: Target, role: string, method: string, request: unknown): boolean {
    if (this.values['dry-run'] !== true) return false;
    const subject = claimsOf(this.token(role))?.sub;
    const plan = {
      dryRun: true,
      service: target.protoService,
      method,
      address: target.address,
      role,
      subject: subject ?? null,
      request,
    };
    if (this.json) this.printJson(plan);
    else
      this.print([
        `Dry run, nothing sent: would call ${target.protoService.split('.').at(-1)}/${method} on ${target.label}`,
        `as ${role}${subject ? ` (${subject})` : ''} with:`,
        ...toJson(request).split('\n'),
      ]);
    return true;
  }

  /** Streams events into a carrier's IngestEvents (one batch) and returns its answer. */
  async ingest(target: Target, role: string, events: carrier.Event[]): Promise<carrier.IngestEventsResponse> {
    const metadata = this.metadata(role);
    this.note(`CarrierService/IngestEvents on ${target.label}`);
    try {
      const call = clientStreaming<carrier.IngestEventsRequest, carrier.IngestEventsResponse>(
        this.client(target),
        'ingestEvents',
        metadata,
        { deadline: Date.now() + this.timeoutMs },
      );
      await call.write({ events });
      call.end();
      return await call.response;
    } catch (error) {
      throw isServiceError(error) ? describeServiceError(error, target.label) : error;
    }
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }

  private client(target: Target): GrpcServiceClient {
    const key = `${target.protoService}@${target.address}`;
    let client = this.clients.get(key);
    if (!client) {
      client = createGrpcClient(target.protoService, target.protoFile, target.address, {
        credentials: this.credentials(),
      });
      this.clients.set(key, client);
    }
    return client;
  }

  private metadata(role: string): Metadata {
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${this.token(role)}`);
    return metadata;
  }

  /**
   * --token, else the role's variable (as npm start's banner exports them),
   * else a short-lived token minted from the dev signing key.
   */
  token(role: string): string {
    return this.tokenWithSource(role).token;
  }

  /** The token a call in the role would carry, and where it comes from (said by --verbose and whoami). */
  tokenWithSource(role: string): { token: string; source: string } {
    if (this.values.token !== undefined) return { token: this.values.token, source: '--token' };
    let found = this.tokens.get(role);
    if (found !== undefined) return found;
    const fromEnv = tokenFromEnv(role, this.env);
    const contextToken = this.resolveSettings().contextToken;
    if (fromEnv) {
      found = { token: fromEnv.token, source: fromEnv.variable };
    } else if (contextToken !== undefined && roleOfToken(contextToken) === role) {
      found = { token: contextToken, source: `context ${this.contextName}` };
    } else if (signingKeyAvailable(this.env)) {
      const token = mintToken(
        {
          role,
          subject: `fraudctl-${role.replace(':', '-').toLowerCase()}`,
          ttlSeconds: MINTED_TTL_SECONDS,
          issuer: 'fraudctl',
        },
        this.env,
      ).token;
      found = {
        token,
        source:
          `minted a ${MINTED_TTL_SECONDS / 60}-minute ${role} token ` +
          `from the signing key in ${signingKeySource(this.env)}`,
      };
    } else {
      throw new CliError(
        `no token for the ${role} role: pass --token, ` +
          `or set ${roleVariables(role).join(' or ')} (npm start prints them), ` +
          `or run where npm start keeps its signing key (${signingKeySource(this.env)})`,
        ExitCode.Permission,
      );
    }
    this.note(found.source.startsWith('minted') ? found.source : `${role} token from ${found.source}`);
    this.tokens.set(role, found);
    return found;
  }

  /** Who the role's token names (its `sub`): the caller the servers record. */
  subjectOf(role: string): string | undefined {
    const subject = claimsOf(this.token(role))?.sub;
    return typeof subject === 'string' && subject !== '' ? subject : undefined;
  }

  private credentials(): ChannelCredentials {
    if (this.channelCredentials) return this.channelCredentials;
    const ca = this.values['tls-ca'] ?? envOptional(this.env, 'GRPC_TLS_CA');
    const cert = this.values['tls-cert'] ?? envOptional(this.env, 'GRPC_TLS_CLIENT_CERT');
    const key = this.values['tls-key'] ?? envOptional(this.env, 'GRPC_TLS_CLIENT_KEY');
    if (ca === undefined) {
      if (cert !== undefined || key !== undefined)
        throw new UsageError(
          "--tls-cert and --tls-key need --tls-ca (GRPC_TLS_CA): the CA that signed the servers' certificates",
        );
      this.channelCredentials = grpcCredentials.createInsecure();
    } else {
      try {
        // Loaded only for TLS: it reads the PEM files through the service
        // configuration helpers (and their NestJS imports).
        type Credentials = typeof import('../../../libs/grpc/src/client/client-credentials');
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy, synchronous: plaintext starts fast
        const { clientCredentials } = require('../../../libs/grpc/src/client/client-credentials') as Credentials;
        this.channelCredentials = clientCredentials({
          GRPC_TLS_CA: ca,
          GRPC_TLS_CLIENT_CERT: cert,
          GRPC_TLS_CLIENT_KEY: key,
        });
      } catch (error) {
        throw new CliError((error as Error).message, ExitCode.Other);
      }
    }
    return this.channelCredentials;
  }
}

/**
 * The shell variables a role's token is looked for in: those npm start's banner
 * exports, and CARRIER_<ID>_TOKEN per carrier.
 */
export function roleVariables(role: string): string[] {
  const [kind, scope] = role.split(':');
  switch (kind) {
    case 'carrier':
      return [`CARRIER_${scope}_TOKEN`, 'CARRIER_TOKEN'];
    case 'admin':
      return ['ADMIN_TOKEN'];
    default:
      return [`${kind.toUpperCase()}_TOKEN`];
  }
}

function tokenFromEnv(role: string, env: Env): { variable: string; token: string } | undefined {
  for (const variable of roleVariables(role)) {
    const token = envOptional(env, variable);
    if (token === undefined) continue;
    // CARRIER_TOKEN is one carrier's (npm start: carrier:CMCC): use it only for that carrier.
    if (variable === 'CARRIER_TOKEN' && roleOfToken(token) !== role) continue;
    return { variable, token };
  }
  return undefined;
}

/** The claims of a JWT as fraudctl reads them, without verifying it (the server verifies). */
export interface TokenClaims {
  role?: string;
  sub?: string;
  exp?: number;
  iat?: number;
  iss?: string;
}

/** A JWT's payload, undefined when it is not one. */
export function claimsOf(token: string): TokenClaims | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as unknown;
    return payload !== null && typeof payload === 'object' ? (payload as TokenClaims) : undefined;
  } catch {
    return undefined;
  }
}

/** The role claim of a JWT, read without verifying it (the server verifies). */
export function roleOfToken(token: string): string | undefined {
  const role = claimsOf(token)?.role;
  return typeof role === 'string' ? role : undefined;
}

function signingKeySource(env: Env): string {
  return envOptional(env, 'AUTH_PRIVATE_KEY_FILE') ?? resolve(authKeyDir(env));
}

/** Only an existing key is used: fraudctl never creates one (the services would not know it). */
function signingKeyAvailable(env: Env): boolean {
  const file = envOptional(env, 'AUTH_PRIVATE_KEY_FILE') ?? join(authKeyDir(env), SIGNING_KEY_FILE);
  return existsSync(file);
}

export function parseCarrierId(text: string | undefined, flag: string, command: string): CarrierId {
  const id = text?.toUpperCase();
  if (!id || !isCarrierId(id))
    throw new UsageError(`${flag} must be one of ${CARRIER_IDS.join(', ')}, got ${text ?? 'nothing'}`, command);
  return id;
}

/** A local validation failure (malformed number, cell, ID), named like the server would: exit 3. */
export function invalidArgument(error: unknown, argument: string): never {
  if (error instanceof ValidationError)
    throw new CliError(`invalid ${argument}: ${error.reason}`, ExitCode.InvalidArgument, {
      field: argument.replace(/ .*/, ''),
    });
  throw error;
}
