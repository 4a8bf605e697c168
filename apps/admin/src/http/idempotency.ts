import { randomUUID } from 'node:crypto';

/**
 * The caller's idempotency key, or a fresh one: a dashboard form submitted
 * twice then makes two changes, as a user who clicked twice would expect; a
 * client that retries sends its own key.
 */
export function idempotencyKeyOr(key: string | undefined): string {
  return key ?? `http-${randomUUID()}`;
}
