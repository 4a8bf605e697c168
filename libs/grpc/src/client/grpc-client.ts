import {
  credentials as grpcCredentials,
  InterceptingCall,
  makeClientConstructor,
  Metadata,
  type CallOptions,
  type ChannelCredentials,
  type ChannelOptions,
  type Client,
  type ClientWritableStream,
  type Interceptor,
  type ServiceDefinition,
  type ServiceError,
} from '@grpc/grpc-js';
import { isServiceDefinition, loadProtoDefinition, MAX_MESSAGE_BYTES } from '../server/proto';

/** A client with one method per RPC, in both spellings (`checkNumbers`, `CheckNumbers`). */
export type GrpcServiceClient = InstanceType<ReturnType<typeof makeClientConstructor>>;

/** A bearer token, or a function returning the current one (for tokens that are renewed). */
export type TokenSource = string | (() => string);

export interface GrpcClientOptions {
  /** Insecure when absent: clientCredentials(env) builds the right ones. */
  credentials?: ChannelCredentials;
  /** Sent as `authorization: Bearer <token>` on every call. */
  token?: TokenSource;
  /** Extra channel settings, e.g. a long-lived follower's `grpc.max_reconnect_backoff_ms` and keepalive. */
  channelOptions?: ChannelOptions;
}

/**
 * A raw grpc-js client for `serviceName` (fully-qualified, e.g.
 * `fraud.registry.v1.RegistryService`) from `protoFile` (relative to PROTO_ROOT),
 * loaded with the server's proto-loader options: camelCase methods and fields,
 * enums as names, int64 as numbers, i.e. the ts-proto types of libs/contracts.
 */
export function createGrpcClient(
  serviceName: string,
  protoFile: string,
  address: string,
  opts: GrpcClientOptions = {},
): GrpcServiceClient {
  const definition = loadProtoDefinition([protoFile])[serviceName];
  if (!isServiceDefinition(definition)) throw new Error(`${serviceName} is not a service of ${protoFile}`);
  const Service = makeClientConstructor(definition as unknown as ServiceDefinition, serviceName);
  return new Service(address, opts.credentials ?? grpcCredentials.createInsecure(), {
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
    ...opts.channelOptions,
    interceptors: opts.token === undefined ? [] : [bearerTokenInterceptor(opts.token)],
  });
}

/**
 * Adds the token as call metadata. Call credentials would do the same over TLS
 * only: grpc-js drops them on insecure channels, which development uses.
 * A call that sets its own authorization keeps it.
 */
export function bearerTokenInterceptor(token: TokenSource): Interceptor {
  return (options, nextCall) =>
    new InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        if (metadata.get('authorization').length === 0)
          metadata.set('authorization', `Bearer ${typeof token === 'function' ? token() : token}`);
        next(metadata, listener);
      },
    });
}

type UnaryMethod = (
  request: unknown,
  metadata: Metadata,
  options: CallOptions,
  callback: (error: ServiceError | null, response?: unknown) => void,
) => unknown;

/**
 * Calls a unary method (`client.checkNumbers`) and resolves with its response;
 * rejects with the ServiceError (code, details).
 */
export function unary<Response>(
  client: Client,
  method: string,
  request: unknown,
  metadata: Metadata = new Metadata(),
  options: CallOptions = {},
): Promise<Response> {
  const fn = (client as unknown as Record<string, unknown>)[method];
  if (typeof fn !== 'function') return Promise.reject(new Error(`the client has no method ${method}`));
  return new Promise<Response>((resolve, reject) => {
    (fn as UnaryMethod).call(client, request, metadata, options, (error, response) =>
      error ? reject(error) : resolve(response as Response),
    );
  });
}

type ClientStreamingMethod = (
  metadata: Metadata,
  options: CallOptions,
  callback: (error: ServiceError | null, response?: unknown) => void,
) => ClientWritableStream<unknown>;

/** An open client-streaming call (`client.ingestEvents`): messages go in with flow control, one response comes back. */
export interface ClientStreamingCall<Request, Response> {
  /**
   * Writes one message; when the stream's buffer is full, waits for it to drain.
   * Rejects with the call's error once the call has failed, so a writer stops
   * instead of waiting on a drain that never comes.
   */
  write(message: Request): Promise<void>;
  /** No more messages: the server answers. */
  end(): void;
  /** The server's answer, or the ServiceError (code, details). */
  response: Promise<Response>;
}

/** Opens a client-streaming method of a client made by createGrpcClient (or any grpc-js client). */
export function clientStreaming<Request, Response>(
  client: Client,
  method: string,
  metadata: Metadata = new Metadata(),
  options: CallOptions = {},
): ClientStreamingCall<Request, Response> {
  const fn = (client as unknown as Record<string, unknown>)[method];
  if (typeof fn !== 'function') throw new Error(`the client has no method ${method}`);
  let stream!: ClientWritableStream<unknown>;
  const response = new Promise<Response>((resolve, reject) => {
    stream = (fn as ClientStreamingMethod).call(client, metadata, options, (error, answer) =>
      error ? reject(error) : resolve(answer as Response),
    );
  });
  const failed = response.then(() => new Promise<never>(() => undefined));
  // The caller awaits the response; until then a failure only stops write(), and is not left unhandled.
  response.catch(() => undefined);
  failed.catch(() => undefined);
  return {
    write: async (message) => {
      if (!stream.write(message))
        await Promise.race([new Promise<void>((drained) => stream.once('drain', () => drained())), failed]);
    },
    end: () => stream.end(),
    response,
  };
}
