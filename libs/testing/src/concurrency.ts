/**
 * Concurrent retries in tests: many identical calls at once must act once,
 * answer once as the first call and every other time as its replay.
 */

/** The default pool has 10 connections: 50 calls queue for them, 16 is the count that broke VerifyNumber. */
export const CONCURRENT_CALLS = [16, 50] as const;

/** Starts `count` calls at once and waits for all of them (the first failure fails the whole). */
export function atOnce<T>(count: number, call: (index: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: count }, (_, index) => call(index)));
}

/**
 * Exactly one answer is the first (`replayed` false) and every other one is the
 * same answer marked replayed. Returns the first.
 */
export function expectOneFirstAnswer<T extends { replayed?: boolean }>(answers: T[]): T {
  const firsts = answers.filter((answer) => !answer.replayed);
  expect(firsts).toHaveLength(1);
  const first = firsts[0];
  expect(answers.filter((answer) => answer.replayed)).toHaveLength(answers.length - 1);
  for (const answer of answers) expect({ ...answer, replayed: first.replayed }).toEqual(first);
  return first;
}

/** Every answer equals the first (responses that carry no replay flag). */
export function expectSameAnswers<T>(answers: T[]): T {
  for (const answer of answers) expect(answer).toEqual(answers[0]);
  return answers[0];
}
