/**
 * The JSON API's schemas (OpenAPI 3.0). Bodies follow proto3's JSON mapping of
 * the fraud.admin.v1 messages: camelCase fields, enums by name, times as
 * RFC 3339 strings; int64 is a JSON number.
 */
import { action, caseStatus, directiveKind, directiveStatus, numberStatus } from '@app/contracts';
import { CARRIER_IDS } from '@app/domain';
import { NUMBER_DIRECTIVE_KINDS } from '../../directives/directive';

export type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const arrayOf = (items: Schema): Schema => ({ type: 'array', items });
const object = (
  properties: Record<string, Schema>,
  required: string[] = Object.keys(properties),
  description?: string,
): Schema => ({
  type: 'object',
  ...(description ? { description } : {}),
  required,
  properties,
});
const string: Schema = { type: 'string' };
const integer: Schema = { type: 'integer', format: 'int64' };
const number: Schema = { type: 'number', format: 'double' };
const boolean: Schema = { type: 'boolean' };
const time: Schema = { type: 'string', format: 'date-time' };
const day: Schema = { type: 'string', format: 'date', example: '2024-02-06' };
const msisdn: Schema = { type: 'string', example: '+8619112345678' };
const enumOf = (values: readonly string[]): Schema => ({ type: 'string', enum: [...values] });
const ACTIONS = action.wireValues;

const quality = {
  suspensions: integer,
  mistaken: {
    ...integer,
    description:
      'Suspensions reversed (RESTORE with POLICE_CLEARED, REGISTRY_CLEARED or APPEAL_UPHELD) within 30 days.',
  },
  mistakenKillRate: { ...number, description: 'mistaken / suspensions; 0 when there were none.' },
  restored: { ...integer, description: 'Of the suspensions, those restored so far (the hours are over these).' },
  restoreHoursP50: {
    ...number,
    description: 'Nearest-rank median of hours from suspension to restore, over restored suspensions.',
  },
  restoreHoursP90: number,
};
const series = (values: Schema): Schema => arrayOf(values);

export const SCHEMAS: Record<string, Schema> = {
  Error: object(
    {
      error: { ...string, description: 'The error code, e.g. REQUIRED, ROLE_NOT_ALLOWED, INVALID_TOKEN.' },
      message: string,
      field: { ...string, description: 'The request field at fault.' },
    },
    ['error', 'message'],
  ),
  Me: object({ subject: string, role: { ...string, example: 'admin:sichuan' } }),
  Reasons: object({ reasons: arrayOf(object({ code: { ...string, example: 'CALL_BURST' }, zh: string, en: string })) }),
  OversightRow: object({
    day,
    carrier: string,
    policy: string,
    reason: string,
    warnings: integer,
    restrictions: integer,
    suspensions: integer,
    restorations: integer,
  }),
  ReasonQuality: object({ reason: string, ...quality }),
  CarrierQuality: object({ carrier: string, ...quality, byReason: arrayOf(ref('ReasonQuality')) }),
  DemotedRule: object(
    {
      policy: { ...string, example: 'default@5' },
      reason: { ...string, example: 'HIGH_RISK_CELL_ACTIVITY' },
      demotedAt: time,
      mistakes: {
        ...integer,
        description: 'RESTRICT/SUSPEND steps citing the reason undone as mistakes in the window when it tripped.',
      },
      actions: { ...integer, description: 'RESTRICT/SUSPEND steps citing the reason in that window.' },
      windowDays: number,
      reenabledAt: { ...time, nullable: true, description: "null while it stands; set by the carrier's operator." },
      reenabledBy: { ...string, nullable: true },
      why: { ...string, nullable: true },
    },
    undefined,
    'A reason the carrier’s active policy demoted: its error budget spent, it counts only up to WARN.',
  ),
  CarrierDemotions: object({
    carrier: string,
    inForce: { ...integer, description: 'Of its rules, those not re-enabled.' },
    rules: arrayOf(ref('DemotedRule')),
  }),
  NumberCount: object({ msisdn, count: integer, carriers: arrayOf(string) }),
  CalleeWarningCount: object({ day, carrier: string, policy: string, count: integer }),
  Oversight: object({
    from: day,
    to: day,
    rows: arrayOf(ref('OversightRow')),
    quality: arrayOf(ref('CarrierQuality')),
    demotedRules: {
      ...arrayOf(ref('CarrierDemotions')),
      description:
        'Per carrier, the rules demoted at some time in the range (demoted before its end, ' +
        'not re-enabled before its start); carriers without any are left out.',
    },
    topReported: arrayOf(ref('NumberCount')),
    multiCarrier: {
      ...arrayOf(ref('NumberCount')),
      description: 'Numbers flagged by more than one carrier; always empty for a carrier token.',
    },
    calleeWarnings: {
      ...arrayOf(ref('CalleeWarningCount')),
      description:
        'Callees warned by SMS (policy calleeProtection: they answered a call from a warned number), ' +
        'per day and policy, as each carrier counted them.',
    },
  }),
  CarrierSeries: object({
    flags: { ...series(integer), description: 'RESTRICT + SUSPEND + REPORT decisions per day.' },
    warnings: series(integer),
    restrictions: series(integer),
    suspensions: series(integer),
    restorations: series(integer),
    mistakenKillRate: {
      ...series({ ...number, nullable: true }),
      description: 'Of the day’s suspensions, the share found mistaken; null on a day without suspensions.',
    },
    calleeWarnings: { ...series(integer), description: 'Callees warned by SMS per day (calleeProtection).' },
  }),
  OversightSeries: object({
    days: arrayOf(day),
    carriers: { type: 'object', additionalProperties: ref('CarrierSeries') },
  }),
  DecidedNumber: object({ msisdn, carrier: string, action: string, at: time, reasons: arrayOf(string) }),
  DecidedNumbers: object({
    day,
    series: string,
    numbers: { ...arrayOf(ref('DecidedNumber')), description: 'Oldest first, at most 200.' },
    truncated: { ...boolean, description: 'More decisions were taken that day than listed.' },
  }),
  Workload: object({
    openCases: { ...integer, description: 'Cases not resolved (OPEN or ESCALATED).' },
    slaBreaches: { ...integer, description: 'Of those, the ones past their service-level time.' },
    directivesOpen: {
      ...integer,
      description: 'Directives not acknowledged (PENDING or DELIVERED) to the carriers running (CARRIER_IDS).',
    },
  }),
  Measure: object({ name: string, value: number, threshold: number }),
  CellSighting: object(
    { cell: { ...string, example: '460-11-23456-1' }, at: time, activity: enumOf(['call', 'sms', 'location']) },
    ['cell', 'activity'],
  ),
  Evidence: object(
    {
      summary: string,
      windowStart: time,
      windowEnd: time,
      measures: arrayOf(ref('Measure')),
      cells: arrayOf(ref('CellSighting')),
    },
    ['summary', 'measures', 'cells'],
  ),
  CarrierDecision: object({
    decisionId: string,
    msisdn,
    action: enumOf(ACTIONS),
    previous: enumOf(ACTIONS),
    reasons: arrayOf(string),
    score: number,
    policy: { ...string, example: 'default@5' },
    at: time,
    evidence: ref('Evidence'),
  }),
  CarrierDecisionRecord: object({ carrier: string, decision: ref('CarrierDecision') }),
  HighRiskCell: object({ cell: string, reason: string, source: string, addedAt: time, expiresAt: time }),
  HighRiskCellList: object({ version: integer, cells: arrayOf(ref('HighRiskCell')) }),
  Directive: object(
    {
      directiveId: string,
      kind: enumOf(directiveKind.wireValues),
      msisdn: string,
      caseId: string,
      reason: string,
      evidence: ref('Evidence'),
      issuedAt: time,
      expiresAt: time,
      cells: ref('HighRiskCellList'),
    },
    ['directiveId', 'kind', 'msisdn', 'caseId', 'reason', 'issuedAt', 'expiresAt'],
  ),
  DirectiveRecord: object(
    {
      directive: ref('Directive'),
      carrier: { ...string, description: 'The owning carrier it was sent to.' },
      status: enumOf(directiveStatus.wireValues),
      issuedBy: string,
      deliveries: integer,
      acknowledgedAt: time,
      ackDetail: string,
    },
    ['directive', 'carrier', 'status', 'issuedBy', 'deliveries', 'ackDetail'],
  ),
  IssuedDirective: {
    allOf: [
      ref('DirectiveRecord'),
      object({
        replayed: {
          ...boolean,
          description:
            'True when the idempotency key was seen before: ' +
            'the directive as the first request answered it (its delivery since is in the list).',
        },
      }),
    ],
  },
  DirectivePage: object({
    directives: arrayOf(ref('DirectiveRecord')),
    nextPageToken: { ...string, description: 'Empty on the last page.' },
  }),
  IssueDirective: object(
    {
      msisdn: { ...string, description: 'E.164 or 11 national digits.' },
      kind: enumOf(NUMBER_DIRECTIVE_KINDS),
      reason: string,
      idempotencyKey: {
        ...string,
        description:
          'Optional: the same key again returns the stored directive. ' +
          'Without one every request issues a new directive.',
      },
      expiresInHours: { type: 'integer', description: 'Default and maximum: DIRECTIVE_TTL_HOURS.' },
    },
    ['msisdn', 'kind', 'reason'],
  ),
  CellList: object({ list: ref('HighRiskCellList') }),
  CellListChange: object({ list: ref('HighRiskCellList'), replayed: boolean }),
  AddCell: object(
    {
      cell: { ...string, example: '460-11-23456-1' },
      reason: string,
      source: { ...string, example: 'police:chengdu' },
      expiresInDays: { type: 'integer', description: '1 to 365; absent: 90.' },
      idempotencyKey: string,
    },
    ['cell', 'reason', 'source'],
  ),
  Owner: object({
    msisdn,
    carrier: enumOf(CARRIER_IDS),
    ported: { ...boolean, description: 'A number-portability entry decided it.' },
  }),
  CaseEvent: object({ at: time, actor: { ...string, example: 'carrier:CTCC' }, what: string }),
  Case: object(
    {
      caseId: { ...string, example: 'SC-20240206-0001' },
      msisdn,
      owner: string,
      status: enumOf(caseStatus.wireValues),
      openedAt: time,
      dueAt: { ...time, description: 'CASE_SLA_HOURS after the police clearance; absent while no clock runs.' },
      events: arrayOf(ref('CaseEvent')),
    },
    ['caseId', 'msisdn', 'owner', 'status', 'openedAt', 'events'],
  ),
  CasePage: object({ cases: arrayOf(ref('Case')), nextPageToken: string }),
  NumberLookup: object(
    {
      msisdn,
      owner: { ...ref('Owner'), description: 'Absent when no carrier owns the number.' },
      decisions: {
        ...arrayOf(ref('CarrierDecisionRecord')),
        description: 'Every carrier’s decisions, newest first (at most 500).',
      },
      directives: { ...arrayOf(ref('DirectiveRecord')), description: 'Newest first (at most 100).' },
      case: {
        ...ref('Case'),
        description: 'The number’s unresolved case, else its latest; absent when it never had one.',
      },
      registryStatus: {
        ...enumOf([numberStatus.unspecified, ...numberStatus.wireValues]),
        description:
          'The registry’s status, asked at the look-up; CONFIRMED (police-confirmed fraud) ' +
          'is blocked everywhere and restored by no carrier. UNSPECIFIED when the registry could not be asked.',
      },
    },
    ['msisdn', 'decisions', 'directives'],
  ),
};
