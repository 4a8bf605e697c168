import type { Command } from './command';
import { changesState, idempotencyKey } from './state-change';

describe(changesState.name, () => {
  it('adds --key and --dry-run to the options and their lines at the end of the help', () => {
    const command: Command = {
      name: 'demo',
      summary: 'a demo',
      help: ['usage: fraudctl demo', 'Options:', '  --note TEXT            a note'],
      options: { note: { type: 'string' } },
      run: async () => undefined,
    };
    const keyed = changesState(command);
    expect(keyed.options).toEqual({
      note: { type: 'string' },
      key: { type: 'string' },
      'dry-run': { type: 'boolean' },
    });
    expect(keyed.help.slice(0, 3)).toEqual(command.help);
    expect(keyed.help[3]).toMatch(/^ {2}--key KEY {14}idempotency key: repeat it to retry the same change safely/);
    expect(keyed.help[4]).toMatch(/^ {2}--dry-run {14}check the input and print the request it would send/);
    expect(keyed.run).toBe(command.run);
  });
});

describe(idempotencyKey.name, () => {
  it('takes --key when given, else a fresh key each time', () => {
    expect(idempotencyKey({ key: 'retry-1' })).toBe('retry-1');
    const fresh = idempotencyKey({});
    expect(fresh).toMatch(/^fraudctl-[0-9a-f-]{36}$/);
    expect(idempotencyKey({})).not.toBe(fresh);
  });
});
