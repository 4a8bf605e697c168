import { Metadata, type CallOptions, type ClientDuplexStream, type ClientReadableStream } from '@grpc/grpc-js';
import type { ServiceDefinition } from '@grpc/proto-loader';
import type { Observable } from 'rxjs';
import {
  clientStreaming,
  loadProtoDefinition,
  unary,
  type ClientStreamingCall,
  type GrpcServiceClient,
} from '@app/grpc';

/**
 * The message a handler of a ts-proto controller interface (libs/contracts)
 * takes or gives: a stream is an Observable of it, a unary answer may also be a
 * promise of it or the message itself.
 */
type Message<T> = T extends Observable<infer M> ? M : T extends Promise<infer M> ? M : T;
type RequestOf<Handler> = Handler extends (request: infer R, ...rest: never[]) => unknown ? Message<R> : never;
type ResponseOf<Handler> = Handler extends (...args: never[]) => infer R ? Message<R> : never;
/** Requests stream when the handler takes an Observable of them. */
type StreamsRequests<Handler> = Handler extends (request: infer R, ...rest: never[]) => unknown
  ? R extends Observable<unknown>
    ? true
    : false
  : false;
/** Answers stream when the handler can only return an Observable (a unary one may return the answer itself). */
type StreamsAnswers<Handler> = Handler extends (...args: never[]) => infer R
  ? [Exclude<R, Observable<unknown>>] extends [never]
    ? true
    : false
  : false;

/** A request as a test writes it: proto3 reads a field left out as its default, at any depth. */
export type DeepPartial<T> = T extends (infer E)[]
  ? DeepPartial<E>[]
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

/** One RPC as a test calls it: unary as a promise, streams as grpc-js streams (client streams with flow control). */
export type ClientMethod<Handler> =
  StreamsRequests<Handler> extends true
    ? StreamsAnswers<Handler> extends true
      ? (metadata?: Metadata, options?: CallOptions) => ClientDuplexStream<RequestOf<Handler>, ResponseOf<Handler>>
      : (metadata?: Metadata, options?: CallOptions) => ClientStreamingCall<RequestOf<Handler>, ResponseOf<Handler>>
    : StreamsAnswers<Handler> extends true
      ? (
          request: DeepPartial<RequestOf<Handler>>,
          metadata?: Metadata,
          options?: CallOptions,
        ) => ClientReadableStream<ResponseOf<Handler>>
      : (
          request?: DeepPartial<RequestOf<Handler>>,
          metadata?: Metadata,
          options?: CallOptions,
        ) => Promise<ResponseOf<Handler>>;

/**
 * A client with one typed method per RPC of a service, typed by its ts-proto
 * controller interface (e.g. `ServiceClient<registry.RegistryServiceController>`):
 * `checkNumbers(request)` resolves with the answer or rejects with the
 * ServiceError (code, details).
 */
export type ServiceClient<Controller> = { readonly [Method in keyof Controller]: ClientMethod<Controller[Method]> } & {
  /** The grpc-js client underneath, for what the typed methods hide (e.g. the response headers of a call). */
  readonly raw: GrpcServiceClient;
};

/** What a client opened, to be cancelled when its service stops. */
export interface OpenCall {
  cancel(): void;
}

type Invoke = (...args: unknown[]) => OpenCall;

/**
 * The typed methods of `service` (fully-qualified, from `protoFile` under
 * PROTO_ROOT) over a grpc-js client of it; every server or duplex stream opened
 * is handed to `opened`.
 */
export function serviceClient<Controller>(
  raw: GrpcServiceClient,
  service: string,
  protoFile: string,
  opened: (call: OpenCall) => void,
): ServiceClient<Controller> {
  const definition = loadProtoDefinition([protoFile])[service] as ServiceDefinition | undefined;
  if (!definition) throw new Error(`${service} is not a service of ${protoFile}`);
  const methods: Record<string, unknown> = { raw };
  for (const method of Object.values(definition)) {
    const name = method.originalName!;
    const invoke = (...args: unknown[]): OpenCall => {
      const call = (raw as unknown as Record<string, Invoke>)[name].apply(raw, args);
      opened(call);
      return call;
    };
    if (!method.requestStream && !method.responseStream) {
      methods[name] = (request: unknown = {}, metadata?: Metadata, options?: CallOptions) =>
        unary(raw, name, request, metadata, options);
    } else if (!method.responseStream) {
      methods[name] = (metadata?: Metadata, options?: CallOptions) => clientStreaming(raw, name, metadata, options);
    } else if (!method.requestStream) {
      methods[name] = (request: unknown, metadata = new Metadata(), options?: CallOptions) =>
        invoke(request, metadata, options);
    } else {
      methods[name] = (metadata = new Metadata(), options?: CallOptions) => invoke(metadata, options);
    }
  }
  return methods as ServiceClient<Controller>;
}
