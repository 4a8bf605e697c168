import { errorCode } from './ensure-database';

const UNIQUE_VIOLATION = '23505';

/**
 * Runs an idempotent write again when it lost a race on a unique key (two callers
 * sending the same new idempotency key at once): the retry finds the winner's row
 * and answers as a replay. Other errors, and a third loss, are thrown.
 */
export async function retryOnUniqueViolation<T>(write: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (errorCode(error) !== UNIQUE_VIOLATION || attempt >= attempts) throw error;
    }
  }
}
