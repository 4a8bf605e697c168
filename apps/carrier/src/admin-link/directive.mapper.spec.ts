import { admin } from '@app/contracts';
import { Action, ValidationError } from '@app/domain';
import { kindName, readDirective, toWireAck } from './directive.mapper';

const issuedAt = { seconds: 1_709_280_000, nanos: 0 };

const directive = (over: Partial<admin.Directive>): admin.Directive => ({
  directiveId: 'd-1',
  kind: admin.DirectiveKind.DIRECTIVE_KIND_SUSPEND,
  msisdn: '+8619100009999',
  caseId: 'case-1',
  reason: 'reported by CMCC',
  evidence: undefined,
  issuedAt,
  expiresAt: { seconds: 1_709_539_200, nanos: 0 },
  cells: undefined,
  ...over,
});

const cell = (id: string, expiresAt?: number): admin.HighRiskCell => ({
  cell: id,
  reason: 'police report',
  source: 'police:chengdu',
  addedAt: { seconds: 1_709_200_000, nanos: 0 },
  expiresAt: expiresAt === undefined ? undefined : { seconds: expiresAt, nanos: 0 },
});

describe(readDirective.name, () => {
  it('reads a directive on a number: its kind, the number in E.164, and when it expires', () => {
    expect(readDirective(directive({ msisdn: '19100009999' }))).toEqual({
      kind: 'SUSPEND',
      msisdn: '+8619100009999',
      expiresAt: 1_709_539_200_000,
    });
    expect(readDirective(directive({ kind: admin.DirectiveKind.DIRECTIVE_KIND_REVIEW }))).toMatchObject({
      kind: 'REVIEW',
    });
    expect(readDirective(directive({ kind: admin.DirectiveKind.DIRECTIVE_KIND_RESTORE }))).toMatchObject({
      kind: 'RESTORE',
    });
  });

  it('reads a high-risk cell list with its version and each cell’s window', () => {
    const list = { version: 7, cells: [cell('460-11-23456-1'), cell('460-11-23456-2', 1_709_800_000)] };
    expect(
      readDirective(directive({ kind: admin.DirectiveKind.DIRECTIVE_KIND_HIGH_RISK_CELLS, msisdn: '', cells: list })),
    ).toEqual({
      kind: 'HIGH_RISK_CELLS',
      list: {
        version: 7,
        cells: [
          {
            cell: '460-11-23456-1',
            reason: 'police report',
            source: 'police:chengdu',
            addedAt: 1_709_200_000_000,
            expiresAt: undefined,
          },
          {
            cell: '460-11-23456-2',
            reason: 'police report',
            source: 'police:chengdu',
            addedAt: 1_709_200_000_000,
            expiresAt: 1_709_800_000_000,
          },
        ],
      },
    });
  });

  it.each([
    ['a number in full-width digits', { msisdn: '１９１００００９９９９' }, /^directive\.msisdn: /],
    [
      'no kind',
      { kind: admin.DirectiveKind.DIRECTIVE_KIND_UNSPECIFIED },
      /^directive\.kind: DIRECTIVE_KIND_UNSPECIFIED is not a directive this carrier knows/,
    ],
    [
      'a cell-list directive without a list',
      { kind: admin.DirectiveKind.DIRECTIVE_KIND_HIGH_RISK_CELLS },
      /^directive\.cells: a HIGH_RISK_CELLS directive carries the whole list/,
    ],
    [
      'a list without a version',
      { kind: admin.DirectiveKind.DIRECTIVE_KIND_HIGH_RISK_CELLS, cells: { version: 0, cells: [] } },
      /^directive\.cells\.version: /,
    ],
    [
      'a malformed cell',
      {
        kind: admin.DirectiveKind.DIRECTIVE_KIND_HIGH_RISK_CELLS,
        cells: { version: 2, cells: [cell('460-11-1-1'), cell('cell 7')] },
      },
      /^directive\.cells\.cells\[1\]\.cell: /,
    ],
    [
      'a cell listed twice',
      {
        kind: admin.DirectiveKind.DIRECTIVE_KIND_HIGH_RISK_CELLS,
        cells: { version: 2, cells: [cell('460-11-1-1'), cell('460-11-1-1')] },
      },
      /^directive\.cells\.cells\[1\]\.cell: 460-11-1-1 is listed twice/,
    ],
    [
      'a cell without its time',
      {
        kind: admin.DirectiveKind.DIRECTIVE_KIND_HIGH_RISK_CELLS,
        cells: { version: 2, cells: [{ ...cell('460-11-1-1'), addedAt: undefined }] },
      },
      /^directive\.cells\.cells\[0\]\.added_at: /,
    ],
  ] as [string, Partial<admin.Directive>, RegExp][])('refuses %s, naming the field', (_what, over, message) => {
    const read = () => readDirective(directive(over));
    expect(read).toThrow(ValidationError);
    expect(read).toThrow(message);
  });
});

describe(kindName.name, () => {
  it('keeps the kind short for the log, known or not', () => {
    expect(kindName(admin.DirectiveKind.DIRECTIVE_KIND_HIGH_RISK_CELLS)).toBe('HIGH_RISK_CELLS');
    expect(kindName(admin.DirectiveKind.DIRECTIVE_KIND_UNSPECIFIED)).toBe('UNSPECIFIED');
    expect(kindName(42 as unknown as admin.DirectiveKind)).toBe('42');
  });
});

describe(toWireAck.name, () => {
  it('answers with the outcome, what it did, and the number’s step', () => {
    expect(toWireAck('d-1', { outcome: 'APPLIED', detail: 'suspended (was NONE)', state: Action.Suspend })).toEqual({
      directiveId: 'd-1',
      outcome: 'DIRECTIVE_OUTCOME_APPLIED',
      detail: 'suspended (was NONE)',
      state: 'ACTION_SUSPEND',
    });
    expect(
      toWireAck('d-2', { outcome: 'REJECTED', detail: '+8619100009999 is not a subscriber of CMCC', state: undefined }),
    ).toEqual({
      directiveId: 'd-2',
      outcome: 'DIRECTIVE_OUTCOME_REJECTED',
      detail: '+8619100009999 is not a subscriber of CMCC',
      state: 'ACTION_UNSPECIFIED',
    });
  });
});
