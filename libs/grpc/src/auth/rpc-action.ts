import type { ExecutionContext } from '@nestjs/common';
import { PATTERN_METADATA } from '@nestjs/microservices/constants.js';
import { fullServiceName } from '../server/proto';

interface GrpcPattern {
  service: string;
  rpc: string;
}

/**
 * The full RPC name of the call being handled, `fraud.registry.v1.RegistryService/CheckNumbers`.
 * Nest hands handlers (request, metadata, call), and the grpc-js call knows its
 * path; without a call (pass-through streams aside, unit tests), the handler's
 * @GrpcMethod pattern ({ service: 'RegistryService', rpc: 'checkNumbers' }) is
 * completed with the package of the loaded service of that name.
 */
export function rpcActionOf(context: ExecutionContext): string {
  if (context.getType() === 'http') {
    const request = context.switchToHttp().getRequest<{ method?: string; route?: { path?: string }; url?: string }>();
    return `HTTP ${request.method ?? ''} ${request.route?.path ?? request.url ?? ''}`;
  }
  for (const arg of context.getArgs<unknown[]>()) {
    if (typeof arg === 'object' && arg !== null && 'getPath' in arg && typeof arg.getPath === 'function') {
      const path = arg.getPath();
      if (typeof path === 'string' && path.length > 1) return path.replace(/^\//, '');
    }
  }
  const patterns: unknown = Reflect.getMetadata(PATTERN_METADATA, context.getHandler());
  const pattern = Array.isArray(patterns) ? (patterns[0] as Partial<GrpcPattern> | undefined) : undefined;
  if (pattern?.service && pattern.rpc) {
    const rpc = pattern.rpc.charAt(0).toUpperCase() + pattern.rpc.slice(1);
    return `${fullServiceName(pattern.service) ?? pattern.service}/${rpc}`;
  }
  return `${context.getClass().name}/${context.getHandler().name}`;
}
