import type { ServiceError } from '@grpc/grpc-js';
import type { AuditEntry, AuditSink } from '@app/grpc';

/** An audit sink that keeps the lines in memory, for tests of the plumbing without a database. */
export class MemoryAuditSink implements AuditSink {
  readonly entries: AuditEntry[] = [];

  record(entry: AuditEntry): Promise<void> {
    this.entries.push(entry);
    return Promise.resolve();
  }
}

/** The status a call failed with; throws when it succeeded. */
export async function failureOf(call: Promise<unknown>): Promise<Pick<ServiceError, 'code' | 'details'>> {
  try {
    await call;
  } catch (error) {
    const { code, details } = error as ServiceError;
    return { code, details };
  }
  throw new Error('the call succeeded');
}

/** The status and details of a failed call, for `expect(...).rejects.toMatchObject(grpcError(...))`. */
export function grpcError(code: number, details?: string | RegExp): Record<string, unknown> {
  return details === undefined
    ? { code }
    : {
        code,
        details: typeof details === 'string' ? expect.stringContaining(details) : expect.stringMatching(details),
      };
}
