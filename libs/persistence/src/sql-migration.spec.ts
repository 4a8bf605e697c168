import type { QueryRunner } from 'typeorm';
import { SqlMigration } from './sql-migration';

class Example1 extends SqlMigration {
  name = 'Example1';
  protected readonly upSql = [
    `CREATE TABLE example (id int PRIMARY KEY, note text)`,
    { sql: `INSERT INTO example (id, note) VALUES ($1, $2)`, parameters: [1, 'first'] },
  ];
  protected readonly downSql = [`DROP TABLE example`];
}

describe(SqlMigration.name, () => {
  const recorded = () => {
    const calls: unknown[][] = [];
    const runner = {
      query: (...args: unknown[]) => {
        calls.push(args);
        return Promise.resolve([]);
      },
    } as unknown as QueryRunner;
    return { calls, runner };
  };

  it('runs its up statements in order, with parameters only where a statement has them', async () => {
    const { calls, runner } = recorded();
    await new Example1().up(runner);
    expect(calls).toEqual([
      ['CREATE TABLE example (id int PRIMARY KEY, note text)'],
      ['INSERT INTO example (id, note) VALUES ($1, $2)', [1, 'first']],
    ]);
  });

  it('runs its down statements', async () => {
    const { calls, runner } = recorded();
    await new Example1().down(runner);
    expect(calls).toEqual([['DROP TABLE example']]);
  });

  it('keeps its name for the migrations table', () => {
    expect(new Example1().name).toBe('Example1');
  });
});
