// Jest runs this in every test file (setupFilesAfterEnv). The transaction guard
// (libs/persistence) is installed by whatever opens a database; a query it caught
// outside its transaction fails the test even when the code under test swallowed
// the error. Nothing is imported here, so tests without a database load no TypeORM.
const TRANSACTION_GUARD = Symbol.for('fraud.persistence.transactionGuard.violations');

function assertNoQueryOutsideItsTransaction(): void {
  const take = (globalThis as Record<symbol, (() => Error[]) | undefined>)[TRANSACTION_GUARD];
  const violations = take?.() ?? [];
  if (violations.length > 0) {
    throw new Error(
      `${violations.length} quer${violations.length === 1 ? 'y' : 'ies'} outside their transaction:\n` +
        violations.map((v) => `- ${v.message}\n${v.stack?.split('\n').slice(1, 12).join('\n')}`).join('\n'),
    );
  }
}

afterEach(assertNoQueryOutsideItsTransaction);
afterAll(assertNoQueryOutsideItsTransaction);
