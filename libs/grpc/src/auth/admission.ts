import type { Provider } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { ClientLimitsInterceptor } from '../server/client-limits';
import { AuthGuard } from './auth.guard';
import { CallAdmission } from './call-admission';

/**
 * What every service puts in front of its handlers, for gRPC and HTTP alike:
 * the admission rules (CallAdmission: token, role, scope, clean text, calls per
 * client), applied by the AuthGuard and the client limits to the calls Nest
 * routes and by the plain gRPC handlers to theirs (server/plain-unary).
 */
export const CALL_ADMISSION: Provider[] = [
  CallAdmission,
  { provide: APP_GUARD, useClass: AuthGuard },
  { provide: APP_INTERCEPTOR, useClass: ClientLimitsInterceptor },
];
