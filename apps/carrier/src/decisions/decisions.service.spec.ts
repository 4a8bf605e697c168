import { ValidationError } from '@app/domain';
import type {
  DecisionFilter,
  DecisionsRepository,
  PagePosition,
  StoredDecision,
  StoredNotice,
} from './decisions.repository';
import { DecisionsService } from './decisions.service';

const at = (i: number) => new Date(Date.UTC(2024, 2, 2, 10, 0, 0) - i * 60_000);
const decision = (i: number) => ({ id: i.toString(16).padStart(32, '0'), at: at(i) }) as StoredDecision;
const notice = (i: number) => ({ id: String(i + 1), at: at(i) }) as StoredNotice;

describe(DecisionsService.name, () => {
  let asked: { filter?: DecisionFilter; after?: PagePosition; msisdn?: string; limit: number }[];
  let sut: DecisionsService;

  beforeEach(() => {
    asked = [];
    const repository = {
      page: async (filter: DecisionFilter, limit: number) => {
        asked.push({ filter, limit });
        return Array.from({ length: Math.min(limit, 3) }, (_, i) => decision(i));
      },
      noticesOf: async (msisdn: string, after: PagePosition | undefined, limit: number) => {
        asked.push({ msisdn, after, limit });
        return Array.from({ length: Math.min(limit, 3) }, (_, i) => notice(i));
      },
    };
    sut = new DecisionsService(repository as unknown as DecisionsRepository);
  });

  it('reads 100 by default and at most 500, one more to know whether a page follows', async () => {
    await sut.decisions({ includeShadow: false });
    await sut.decisions({ includeShadow: false, pageSize: 100_000 });
    await sut.decisions({ includeShadow: true, pageSize: 7 });
    expect(asked.map((a) => a.limit)).toEqual([101, 501, 8]);
    expect(asked[2].filter).toEqual({ msisdn: undefined, includeShadow: true, since: undefined, after: undefined });
  });

  it('gives a token after a full page that resumes after its last row', async () => {
    const page = await sut.decisions({ includeShadow: false, pageSize: 2, msisdn: '19100000001' });
    expect(page.items).toEqual([decision(0), decision(1)]);
    await sut.decisions({ includeShadow: false, pageSize: 2, msisdn: '19100000001', pageToken: page.nextPageToken });
    expect(asked[1].filter).toMatchObject({ msisdn: '+8619100000001', after: { at: at(1), id: decision(1).id } });
    expect((await sut.decisions({ includeShadow: false, pageSize: 3 })).nextPageToken).toBe('');
  });

  it('pages notices the same way, and needs the number', async () => {
    const page = await sut.notices({ msisdn: '+8619100000001', pageSize: 1 });
    await sut.notices({ msisdn: '+8619100000001', pageSize: 1, pageToken: page.nextPageToken });
    expect(asked[1]).toEqual({ msisdn: '+8619100000001', after: { at: at(0), id: '1' }, limit: 2 });
    await expect(sut.notices({})).rejects.toThrow(
      new ValidationError('REQUIRED' as never, 'msisdn', 'a phone number is required'),
    );
  });

  it('refuses a notice token for decisions and the other way round', async () => {
    const decisions = await sut.decisions({ includeShadow: false, pageSize: 1 });
    const notices = await sut.notices({ msisdn: '+8619100000001', pageSize: 1 });
    await expect(sut.notices({ msisdn: '+8619100000001', pageToken: decisions.nextPageToken })).rejects.toMatchObject({
      field: 'page.page_token',
    });
    await expect(sut.decisions({ includeShadow: false, pageToken: notices.nextPageToken })).rejects.toMatchObject({
      field: 'page.page_token',
    });
  });
});
