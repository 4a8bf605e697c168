import { ItemEffect } from './case-planner';
import { decisionItem, directiveItems, verdictItem, type DirectiveRow } from './case-timeline';

const at = new Date('2024-02-06T10:00:00Z');
const decision = (carrier: string, action: string) => ({
  carrier,
  decisionId: 'd-1',
  action,
  reasons: ['CALL_BURST'],
  score: 0.9,
  policy: 'default@3',
  at,
  summary: '',
});
const directive = (over: Partial<DirectiveRow>): DirectiveRow => ({
  id: 'dir-1',
  kind: 'SUSPEND',
  carrier: 'CTCC',
  status: 'PENDING',
  reason: 'harassment',
  issuedBy: 'officer-li',
  issuedAt: at,
  lastDeliveredAt: null,
  acknowledgedAt: null,
  ackDetail: null,
  expiresAt: new Date('2024-02-09T10:00:00Z'),
  ...over,
});

describe(decisionItem.name, () => {
  it('lets only the owner’s SUSPEND open a case; any RESTORE is a restore (the planner checks whose)', () => {
    expect(decisionItem(decision('CTCC', 'SUSPEND'), 'CTCC').effect).toBe(ItemEffect.Suspend);
    expect(decisionItem(decision('CMCC', 'SUSPEND'), 'CTCC').effect).toBe(ItemEffect.None);
    expect(decisionItem(decision('CTCC', 'SUSPEND'), undefined).effect).toBe(ItemEffect.None);
    expect(decisionItem(decision('CMCC', 'RESTORE'), 'CTCC')).toMatchObject({
      effect: ItemEffect.Restore,
      carrier: 'CMCC',
      key: 'decision:CMCC:d-1',
      actor: 'carrier:CMCC',
    });
  });

  it('says what the carrier decided, why, and on what evidence', () => {
    expect(
      decisionItem({ ...decision('CTCC', 'WARN'), summary: '26 calls to 24 numbers in 85 minutes' }, 'CTCC').what,
    ).toBe('WARN by CTCC: CALL_BURST (policy default@3, score 0.9) — 26 calls to 24 numbers in 85 minutes');
  });
});

describe(directiveItems.name, () => {
  it('gives a directive’s issue, first delivery and outcome as they happen; an applied SUSPEND suspends', () => {
    expect(directiveItems(directive({})).map((i) => i.key)).toEqual(['directive:dir-1:issued']);
    const applied = directiveItems(
      directive({ status: 'APPLIED', lastDeliveredAt: at, acknowledgedAt: at, ackDetail: 'suspended' }),
    );
    expect(applied.map((i) => [i.key, i.actor, i.effect])).toEqual([
      ['directive:dir-1:issued', 'officer-li', ItemEffect.None],
      ['directive:dir-1:delivered', 'admin', ItemEffect.None],
      ['directive:dir-1:outcome', 'carrier:CTCC', ItemEffect.Suspend],
    ]);
    expect(applied[2]!.what).toBe('CTCC applied SUSPEND directive dir-1: suspended');
  });

  it('opens nothing for a rejected or a REVIEW directive, and tells an expiry', () => {
    expect(directiveItems(directive({ status: 'REJECTED', acknowledgedAt: at })).at(-1)).toMatchObject({
      effect: ItemEffect.None,
      what: 'CTCC rejected SUSPEND directive dir-1',
    });
    expect(directiveItems(directive({ kind: 'REVIEW', status: 'APPLIED', acknowledgedAt: at })).at(-1)?.effect).toBe(
      ItemEffect.None,
    );
    expect(directiveItems(directive({ status: 'EXPIRED' })).at(-1)).toMatchObject({
      at: new Date('2024-02-09T10:00:00Z'),
      what: 'directive dir-1 expired without an answer from CTCC',
    });
  });
});

describe(verdictItem.name, () => {
  it('starts the clock on a clearance only', () => {
    expect(verdictItem({ version: 7, status: 'CLEARED', changedAt: at }, 24)).toEqual({
      key: 'registry:7',
      at,
      carrier: '',
      actor: 'police',
      what: 'police cleared the number (registry version 7): to be restored within 24 h',
      effect: ItemEffect.Clear,
    });
    expect(verdictItem({ version: 8, status: 'CONFIRMED', changedAt: at }, 24)).toMatchObject({
      effect: ItemEffect.None,
      what: 'police confirmed fraud (registry version 8)',
    });
  });
});
