import { Client } from 'pg';
import { DataSource, type EntityManager } from 'typeorm';
import {
  dataSourceOptions,
  idempotentWrite,
  idempotentWrites,
  type IdempotentWrite,
  type StoredAnswer,
} from '@app/persistence';
import { atOnce, createTestDatabase, expectOneFirstAnswer, type TestDatabase } from '@app/testing';

class KeyReused extends Error {
  constructor(
    readonly index: number,
    readonly earlier: string | undefined,
  ) {
    super(`key of request ${index} reused (earlier answer: ${earlier ?? 'in this batch'})`);
  }
}

/** A write of `content` under `key` into a table of its own: the answer is the row's content, upper-cased. */
describe('idempotent writes', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let applied: string[];

  const find = async (em: EntityManager, keys: readonly string[]): Promise<Map<string, StoredAnswer<string>>> => {
    const rows: { key: string; content_hash: string; answer: string }[] = await em.query(
      'SELECT key, content_hash, answer FROM answer WHERE key = ANY($1)',
      [keys],
    );
    return new Map(rows.map((row) => [row.key, { contentHash: row.content_hash, result: row.answer }]));
  };
  const insert = async (em: EntityManager, key: string, content: string): Promise<string> => {
    applied.push(key);
    await em.query('INSERT INTO answer (key, content_hash, answer) VALUES ($1, $2, $3)', [
      key,
      content,
      content.toUpperCase(),
    ]);
    return content.toUpperCase();
  };
  const write = (key: string, content: string, more: Partial<IdempotentWrite<string>> = {}) =>
    idempotentWrite<string>({
      dataSource,
      scope: 'test.answer',
      key,
      contentHash: content,
      find: async (em) => (await find(em, [key])).get(key),
      apply: (em) => insert(em, key, content),
      reused: (stored) => new KeyReused(0, stored.result),
      ...more,
    });
  const rowsOf = async (key: string) =>
    (await dataSource.query('SELECT answer FROM answer WHERE key = $1', [key])) as { answer: string }[];

  beforeAll(async () => {
    database = await createTestDatabase('idempotent');
    dataSource = await new DataSource(
      dataSourceOptions(database.url, { service: 'idempotent', entities: [], migrations: [] }, undefined, process.env),
    ).initialize();
    await dataSource.query(
      'CREATE TABLE answer (key text PRIMARY KEY, content_hash text NOT NULL, answer text NOT NULL)',
    );
  });
  beforeEach(() => (applied = []));
  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  it('applies a key once: the same content again is the first answer, replayed; other content is refused', async () => {
    expect(await write('k-1', 'first')).toEqual({ result: 'FIRST', replayed: false });
    expect(await write('k-1', 'first')).toEqual({ result: 'FIRST', replayed: true });
    await expect(write('k-1', 'other')).rejects.toEqual(new KeyReused(0, 'FIRST'));
    expect(applied).toEqual(['k-1']);
    expect(await rowsOf('k-1')).toEqual([{ answer: 'FIRST' }]);
  });

  it('serialises concurrent twins: one applies, every other one waits for it and replays its answer', async () => {
    const answers = await atOnce(20, () => write('k-twins', 'same'));
    expect(expectOneFirstAnswer(answers)).toEqual({ result: 'SAME', replayed: false });
    expect(applied).toEqual(['k-twins']);
  });

  it('refuses every concurrent call that brings other content than the one applied first', async () => {
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => write('k-race', i % 2 === 0 ? 'even' : 'odd')),
    );
    const [stored] = await rowsOf('k-race');
    const winner = stored.answer.toLowerCase();
    outcomes.forEach((outcome, i) => {
      if ((i % 2 === 0 ? 'even' : 'odd') === winner)
        expect(outcome).toMatchObject({ status: 'fulfilled', value: { result: stored.answer } });
      else expect(outcome).toMatchObject({ status: 'rejected', reason: new KeyReused(0, stored.answer) });
    });
    expect(applied).toEqual(['k-race']);
  });

  it('replays a key whose row a writer without the lock stored while this one applied', async () => {
    const outsider = new Client({ connectionString: database.url });
    await outsider.connect();
    try {
      let raced = false;
      const answer = await write('k-outsider', 'mine', {
        apply: async (em) => {
          if (!raced) {
            raced = true;
            await outsider.query(
              `INSERT INTO answer (key, content_hash, answer) VALUES ('k-outsider', 'mine', 'THEIRS')`,
            );
          }
          return insert(em, 'k-outsider', 'mine');
        },
      });
      expect(answer).toEqual({ result: 'THEIRS', replayed: true });
    } finally {
      await outsider.end();
    }
  });

  it('undoes outside changes when the transaction fails, and runs after-commit steps once it committed', async () => {
    const steps: string[] = [];
    await expect(
      write('k-hooks', 'x', {
        apply: async (em, hooks) => {
          hooks.onRollback(() => steps.push('undone'));
          hooks.onCommit(() => steps.push('committed'));
          await insert(em, 'k-hooks', 'x');
          throw new Error('the change failed half-way');
        },
      }),
    ).rejects.toThrow('the change failed half-way');
    expect(steps).toEqual(['undone']);
    expect(await rowsOf('k-hooks')).toEqual([]);
    await write('k-hooks', 'x', {
      apply: async (em, hooks) => {
        hooks.onRollback(() => steps.push('undone'));
        hooks.onCommit(() => steps.push('committed'));
        return insert(em, 'k-hooks', 'x');
      },
    });
    expect(steps).toEqual(['undone', 'committed']);
  });

  describe('a batch', () => {
    const batch = (
      requests: [string, string][],
      apply = (em: EntityManager, fresh: readonly { key: string; contentHash: string }[]) =>
        Promise.all(fresh.map((r) => insert(em, r.key, r.contentHash))),
    ) =>
      idempotentWrites<{ key: string; contentHash: string }, string>({
        dataSource,
        scope: 'test.answer',
        requests: requests.map(([key, contentHash]) => ({ key, contentHash })),
        find,
        apply,
        reused: (index, stored) => new KeyReused(index, stored?.result),
      });

    it('applies new keys once each, answers a repeated key as its first request, and replays stored keys', async () => {
      await write('b-old', 'old');
      applied = [];
      expect(
        await batch([
          ['b-new', 'new'],
          ['b-old', 'old'],
          ['b-new', 'new'],
        ]),
      ).toEqual([
        { result: 'NEW', replayed: false },
        { result: 'OLD', replayed: true },
        { result: 'NEW', replayed: true },
      ]);
      expect(applied).toEqual(['b-new']);
    });

    it('is refused whole, naming the request, when a key comes with other content than it was used with', async () => {
      await expect(
        batch([
          ['b-2', 'two'],
          ['b-old', 'changed'],
        ]),
      ).rejects.toEqual(new KeyReused(1, 'OLD'));
      await expect(
        batch([
          ['b-2', 'two'],
          ['b-2', 'deux'],
        ]),
      ).rejects.toEqual(new KeyReused(1, undefined));
      expect(applied).toEqual([]);
      expect(await rowsOf('b-2')).toEqual([]);
    });

    it('writes all or nothing', async () => {
      const failing = async (em: EntityManager, fresh: readonly { key: string; contentHash: string }[]) => {
        await insert(em, fresh[0].key, fresh[0].contentHash);
        throw new Error('the second one failed');
      };
      await expect(
        batch(
          [
            ['b-3', 'three'],
            ['b-4', 'four'],
          ],
          failing,
        ),
      ).rejects.toThrow('the second one failed');
      expect(await rowsOf('b-3')).toEqual([]);
    });
  });
});
