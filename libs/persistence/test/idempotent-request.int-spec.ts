import { DataSource } from 'typeorm';
import { dataSourceOptions, idempotentRequest, insertRow, rowByKey } from '@app/persistence';
import { createTestDatabase, type TestDatabase } from '@app/testing';

interface NoteRow {
  idempotencyKey: string;
  contentHash: string;
  msisdn: string;
  noteText: string;
}

/** A request that stores a note once per key, its answer read back from the row (`answer`). */
describe('idempotent requests over keyed rows', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let applied: string[];

  const note = (request: { idempotencyKey: string; contentHash: string; msisdn: string }) =>
    idempotentRequest({
      dataSource,
      scope: 'test.note',
      request,
      stored: (em) =>
        rowByKey<Pick<NoteRow, 'contentHash' | 'msisdn' | 'noteText'>>(
          em,
          'note',
          ['contentHash', 'msisdn', 'noteText'],
          request.idempotencyKey,
        ),
      answer: (row) => ({ msisdn: row.msisdn, text: row.noteText }),
      reused: () => new Error(`${request.idempotencyKey} was already used for a different note`),
      apply: async (em) => {
        applied.push(request.idempotencyKey);
        const text = `note ${request.contentHash}`;
        await insertRow(em, 'note', { ...request, noteText: text } satisfies NoteRow);
        return { msisdn: request.msisdn, text };
      },
    });

  beforeAll(async () => {
    database = await createTestDatabase('idempotent_request');
    dataSource = await new DataSource(
      dataSourceOptions(database.url, { service: 'idempotent', entities: [], migrations: [] }, undefined, process.env),
    ).initialize();
    await dataSource.query(
      `CREATE TABLE note (idempotency_key text PRIMARY KEY, content_hash text NOT NULL, msisdn text NOT NULL,
        note_text text NOT NULL)`,
    );
  });
  beforeEach(() => (applied = []));
  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  it('applies a key once, answers the same content again from the stored row, refuses other content', async () => {
    const request = { idempotencyKey: 'k-1', contentHash: 'a', msisdn: '+8613800000001' };
    expect(await note(request)).toEqual({ msisdn: '+8613800000001', text: 'note a', replayed: false });
    expect(await note(request)).toEqual({ msisdn: '+8613800000001', text: 'note a', replayed: true });
    await expect(note({ ...request, contentHash: 'b' })).rejects.toThrow('k-1 was already used for a different note');
    expect(applied).toEqual(['k-1']);
    expect(await dataSource.query('SELECT note_text FROM note WHERE idempotency_key = $1', ['k-1'])).toEqual([
      { note_text: 'note a' },
    ]);
  });

  it('reads no row for a key never stored', async () => {
    await expect(rowByKey<{ msisdn: string }>(dataSource.manager, 'note', ['msisdn'], 'k-none')).resolves.toBe(
      undefined,
    );
  });
});
