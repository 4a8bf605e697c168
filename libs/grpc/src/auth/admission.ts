import type { Provider } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { ClientLimitsInterceptor } from '../server/client-limits';
import { AuthGuard } from './auth.guard';

/**
 * What every service puts in front of its handlers, for gRPC and HTTP alike:
 * the AuthGuard (token, role, scope, clean text) and the client limits (calls
 * and streams per client, stream buffers, token expiry of streams).
 */
export const CALL_ADMISSION: Provider[] = [
  { provide: APP_GUARD, useClass: AuthGuard },
  { provide: APP_INTERCEPTOR, useClass: ClientLimitsInterceptor },
];
