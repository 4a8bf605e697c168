import { Logger } from '@nestjs/common';
import type { AuditRecord } from './audit-chain';
import { AuditLog } from './audit-log.service';
import type { AuditRepository } from './audit.repository';

/** A repository that stores appended groups, and refuses any group holding a line `refuse` picks. */
class FakeRepository {
  readonly stored: AuditRecord[] = [];
  calls = 0;
  constructor(private readonly refuse: (record: AuditRecord) => Error | undefined) {}

  async append(records: AuditRecord[]): Promise<void> {
    this.calls++;
    await Promise.resolve();
    const refusal = records.map(this.refuse).find((error) => error !== undefined);
    if (refusal) throw refusal;
    this.stored.push(...records);
  }
}

const sqlError = (code: string) => Object.assign(new Error(`refused (${code})`), { code });
const entry = (actor: string) => ({
  actor,
  role: 'police',
  action: 'fraud.registry.v1.RegistryService/GetNumberRecord',
  outcome: 'OK',
});

describe(AuditLog.name, () => {
  beforeEach(() => jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());

  it('escapes what it stores: a NUL in any field is written as \\u0000; a number target in E.164', async () => {
    const repository = new FakeRepository(() => undefined);
    const log = new AuditLog(repository as unknown as AuditRepository);
    await log.record({
      ...entry('officer\u00001'),
      target: '1911\u00002345678',
      purpose: 'why\u0000not',
      detail: { 'k\u0000': 'v\u0000' },
    });
    expect(repository.stored[0]).toMatchObject({
      actor: 'officer\\u00001',
      target: '1911\\u00002345678',
      purpose: 'why\\u0000not',
      detail: { 'k\\u0000': 'v\\u0000' },
    });
    await log.record({ ...entry('officer-2'), target: '19112345678' });
    expect(repository.stored[1]).toMatchObject({ target: '+8619112345678' });
  });

  it('when the database refuses a group for one line, writes the others singly and fails only that line', async () => {
    const repository = new FakeRepository((record) => (record.actor === 'bad' ? sqlError('22P05') : undefined));
    const log = new AuditLog(repository as unknown as AuditRepository);
    // Queued together: the first flush takes one line, the rest go as one group.
    const results = await Promise.allSettled(
      ['first', 'good-1', 'bad', 'good-2'].map((actor) => log.record(entry(actor))),
    );
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(repository.stored.map((r) => r.actor)).toEqual(['first', 'good-1', 'good-2']);
    expect(Logger.prototype.error).toHaveBeenCalledWith(
      expect.objectContaining({ msg: 'audit line lost: the database refused it', actor: 'bad' }),
    );
  });

  it('when the database itself fails, fails the group without a round per line', async () => {
    let down = false;
    const repository = new FakeRepository(() => (down ? sqlError('57P01') : undefined));
    const log = new AuditLog(repository as unknown as AuditRepository);
    await log.record(entry('before'));
    down = true;
    const calls = repository.calls;
    const results = await Promise.allSettled(['a', 'b', 'c'].map((actor) => log.record(entry(actor))));
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    // One append for `a` (flushed at once), one for `b` and `c` (queued meanwhile); none per line.
    expect(repository.calls - calls).toBe(2);
  });
});
