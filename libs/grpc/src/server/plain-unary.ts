import {
  Metadata,
  status as GrpcCode,
  type MethodDefinition,
  type Server,
  type ServerUnaryCall,
  type sendUnaryData,
  type ServerErrorResponse,
} from '@grpc/grpc-js';
import type { Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { PackageDefinition } from '@grpc/proto-loader';
import { REQUEST_ID_HEADER, runInRequest, type RequestContext } from '@app/observability';
import { accessOf } from '../auth/auth.guard';
import type { Access, CallAdmission, CallFacts } from '../auth/call-admission';
import type { Principal } from '../auth/token';
import { GrpcStatusError, statusForCaller } from '../errors/grpc-exception.filter';
import type { GrpcCallObserver, PlainCall, PlainMethodCalls } from './call-observer';
import { isServiceDefinition, malformedMessage, malformedReason } from './proto';

/**
 * A unary RPC served by a plain grpc-js handler beside Nest's, for the hottest
 * calls (call setup): no guard, interceptor, RxJS pipeline, exception filter or
 * AsyncLocalStorage on the way, but the same admission (CallAdmission: token,
 * role from the class's `@Roles`/`@Public`, own carrier and province, clean
 * text, calls per client, refusals audited), the same metrics, request id and
 * log lines (recorded by the handler through the GrpcCallObserver, whose
 * interceptor lets these calls pass untouched: plainMethod), and the same
 * statuses for the same errors (statusForCaller). A provider of the app, listed
 * in its GrpcServiceSpec's `plainRpcs`.
 */
export interface PlainUnaryRpc<Request = unknown, Response = unknown> {
  /** `fraud.carrier.v1.CarrierService/CheckCall`: a unary method of a service the port serves. */
  readonly rpc: string;
  /**
   * Reads the request message; by default the method's proto-loader decoder, the
   * one Nest's handlers get theirs from. A throw refuses the call as malformed.
   */
  decode?(bytes: Buffer): Request;
  /** Writes the answer; by default the method's proto-loader encoder. */
  encode?(response: Response): Buffer;
  /**
   * The answers are a few prebuilt, frozen objects, handed out again and again:
   * each is encoded once, its bytes kept for as long as the object lives.
   */
  readonly sharedAnswers?: boolean;
  /** The first text field holding a control character, for a request decode() did not make a plain message of. */
  controlCharacterField?(request: Request): string | undefined;
  /**
   * The call's work, synchronous as a rule; a DomainError it throws reaches the caller with its kind's status. It may
   * answer a promise where the work goes elsewhere (a carrier shard asking the shard that keeps the number); a
   * promise that rejects is a failure like a throw. `metadata` is the call's, e.g. to pass its authorization on.
   */
  handle(
    request: Request,
    principal: Principal | undefined,
    context: RequestContext,
    metadata: Metadata,
  ): Response | Promise<Response>;
}

const reflector = new Reflector();

/**
 * Serves `rpc` on `server` in place of what Nest bound there (a handler, or
 * grpc-js's UNIMPLEMENTED default for a method without one). Throws when the
 * server does not serve the method, or it is not unary.
 */
export function servePlainUnary(
  server: Server,
  packageDefinition: PackageDefinition,
  rpc: PlainUnaryRpc,
  admission: CallAdmission,
  calls: GrpcCallObserver,
): void {
  const method = methodOf(packageDefinition, rpc.rpc);
  if (method.requestStream || method.responseStream) throw new Error(`${rpc.rpc} is not unary: no plain handler`);
  const access: Access = accessOf(reflector, { getHandler: () => rpc.handle, getClass: () => rpc.constructor as Type });
  const type = typeNameOf(method);
  const decode = rpc.decode?.bind(rpc);
  const deserialize = decode
    ? (bytes: Buffer): unknown => {
        try {
          return decode(bytes);
        } catch (error) {
          return malformedMessage(type, error);
        }
      }
    : method.requestDeserialize;
  const encode = rpc.encode ? rpc.encode.bind(rpc) : method.responseSerialize;
  const serialize = rpc.sharedAnswers ? encodedOnce(encode) : encode;
  if (!server.unregister(method.path))
    throw new Error(`${rpc.rpc} is not served by this server: list its package and proto file in the GrpcServiceSpec`);
  const handler = plainHandler(rpc, access, admission, calls.plainMethod(method));
  server.register(method.path, handler, serialize, deserialize, 'unary');
}

function plainHandler(
  rpc: PlainUnaryRpc,
  access: Access,
  admission: CallAdmission,
  observed: PlainMethodCalls,
): (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => void {
  const action = rpc.rpc;
  const scan = rpc.controlCharacterField?.bind(rpc);
  // The response headers, one object for every call: grpc-js reads them into the
  // stream's headers as sendMetadata is called, and keeps no reference.
  const headers = new Metadata();
  const answer = (
    call: ServerUnaryCall<unknown, unknown>,
    callback: sendUnaryData<unknown>,
    context: PlainCall,
    principal: Principal | undefined,
  ): void => {
    let response: unknown;
    try {
      response = rpc.handle(call.request, principal, context, call.metadata);
    } catch (error) {
      return fail(callback, observed, context, failure(error, action));
    }
    if (response instanceof Promise) {
      whenCancelled(call, observed, context);
      response.then(
        (answered: unknown) => send(call, callback, context, answered),
        (error: unknown) => fail(callback, observed, context, failure(error, action)),
      );
      return;
    }
    send(call, callback, context, response);
  };
  const send = (
    call: ServerUnaryCall<unknown, unknown>,
    callback: sendUnaryData<unknown>,
    context: PlainCall,
    response: unknown,
  ): void => {
    headers.set(REQUEST_ID_HEADER, context.requestId);
    call.sendMetadata(headers);
    callback(null, response);
    observed.end(context, GrpcCode.OK);
  };
  return (call, callback) => {
    const context = observed.begin(call.metadata);
    const request = call.request;
    const malformed = malformedReason(request);
    if (malformed !== undefined) {
      // Never reaches the handler: refused and audited as the call observer refuses other methods' messages.
      whenCancelled(call, observed, context);
      void observed
        .refuseMalformed(call.metadata, malformed)
        .then(() => fail(callback, observed, context, new GrpcStatusError(GrpcCode.INVALID_ARGUMENT, malformed)));
      return;
    }
    const facts: CallFacts = {
      action,
      access,
      authorization: call.metadata.get('authorization').map(String),
      request,
      ...(scan ? { controlField: () => scan(request) } : {}),
    };
    let principal: Principal | undefined;
    try {
      const verdict = admission.judge(facts);
      if (verdict.refusal) {
        // Rare and asynchronous (the audit): in the request context, as the guard's refusals are.
        whenCancelled(call, observed, context);
        runInRequest(context, () => admission.refuse(facts, verdict)).catch((error: unknown) =>
          fail(callback, observed, context, failure(error, action)),
        );
        return;
      }
      principal = verdict.principal;
    } catch (error) {
      return fail(callback, observed, context, failure(error, action));
    }
    if (!principal) return answer(call, callback, context, principal);
    context.role = principal.role;
    const release = admission.claim(principal, false);
    if (typeof release !== 'function') {
      const caller = principal;
      whenCancelled(call, observed, context);
      runInRequest(context, () => admission.refuseLimit(action, caller, release)).then(
        () => fail(callback, observed, context, failure(release, action)),
        (error: unknown) => fail(callback, observed, context, failure(error, action)),
      );
      return;
    }
    try {
      answer(call, callback, context, principal);
    } finally {
      release();
    }
  };
}

/**
 * A failed call: its status, with the request id in the trailers (a trailers-only
 * answer, as the call observer sends a call refused before any header).
 */
function fail(
  callback: sendUnaryData<unknown>,
  observed: PlainMethodCalls,
  context: PlainCall,
  status: ServerErrorResponse,
): void {
  const trailers = status.metadata ?? new Metadata();
  trailers.set(REQUEST_ID_HEADER, context.requestId);
  callback(status, null, trailers);
  observed.end(context, status.code ?? GrpcCode.UNKNOWN, status.details);
}

/** While an answer waits (an audit), a caller that gives up is counted as the call observer counts it. */
function whenCancelled(call: ServerUnaryCall<unknown, unknown>, observed: PlainMethodCalls, context: PlainCall): void {
  call.once('cancelled', () => observed.end(context, GrpcCode.CANCELLED, 'cancelled by the caller or its deadline'));
}

/** `encode`, remembering each answer object's bytes (grpc-js copies them into its frame, never changes them). */
function encodedOnce(encode: (response: unknown) => Buffer): (response: unknown) => Buffer {
  const encoded = new WeakMap<object, Buffer>();
  return (response) => {
    if (typeof response !== 'object' || response === null || !Object.isFrozen(response)) return encode(response);
    let bytes = encoded.get(response);
    if (!bytes) encoded.set(response, (bytes = encode(response)));
    return bytes;
  };
}

function failure(error: unknown, rpc: string): ServerErrorResponse {
  return statusForCaller(error, rpc);
}

/** The method `service/Method` of the loaded package definition. */
function methodOf(definition: PackageDefinition, rpc: string): MethodDefinition<unknown, unknown> {
  const slash = rpc.indexOf('/');
  const service = definition[rpc.slice(0, slash)];
  const method = isServiceDefinition(service)
    ? (service as Record<string, MethodDefinition<unknown, unknown> | undefined>)[rpc.slice(slash + 1)]
    : undefined;
  if (slash < 0 || !method) throw new Error(`${rpc} is not a method of the proto files served here`);
  return method;
}

function typeNameOf(method: MethodDefinition<unknown, unknown>): string {
  return (method as { requestType?: { type?: { name?: string } } }).requestType?.type?.name ?? 'request';
}
