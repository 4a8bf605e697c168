import {
  Action,
  ReportCategory,
  UsageProfile,
  ValidationError,
  ValidationErrorCode,
  VerificationOutcome,
  type RegistryStatus,
} from '@app/domain';
// Types only: fraudctl reads the codecs without loading the generated services (and Nest with them).
import type * as admin from './generated/fraud/admin/v1/admin';
import type * as carrier from './generated/fraud/carrier/v1/carrier';
import type * as common from './generated/fraud/common/v1/common';
import type * as registry from './generated/fraud/registry/v1/registry';

/**
 * The one mapping of each wire enum to its domain values. ts-proto writes enums
 * as strings (`USAGE_PROFILE_COURIER`), so a table of strings, checked against
 * the generated enum, is all a codec needs.
 */
export interface EnumCodec<D extends string, W extends string> {
  /** The prefix of the wire names, e.g. `USAGE_PROFILE_`. */
  readonly prefix: string;
  /** Every domain value, in the order of the table. */
  readonly values: readonly D[];
  /** Their wire values, in the same order (UNSPECIFIED not among them). */
  readonly wireValues: readonly W[];
  /** `<PREFIX>UNSPECIFIED`: what proto3 sends for a field that is not set. */
  readonly unspecified: W;
  /** The wire value; UNSPECIFIED for no value, or one this build does not know (written by a newer one). */
  toWire(value: D | null | undefined): W;
  /** The domain value; undefined when the field is unset, UNSPECIFIED, or a value this build does not know. */
  tryFromWire(value: W | null | undefined): D | undefined;
  /**
   * The domain value; otherwise a ValidationError naming `field` and what a caller may send, e.g.
   * `mode: must be POLICY_MODE_ACTIVE, POLICY_MODE_SHADOW or POLICY_MODE_SHADOW_OFF`.
   */
  fromWire(value: W | null | undefined, field: string): D;
  /**
   * The wire name without its prefix (`COURIER`), a value without the prefix or unknown as sent;
   * undefined when unset or UNSPECIFIED.
   */
  name(value: W | string | null | undefined): string | undefined;
}

/** A wire enum's values that name something: not UNSPECIFIED, nor ts-proto's UNRECOGNIZED. */
type Named<W extends string> = Exclude<`${W}`, `${string}_UNSPECIFIED` | 'UNRECOGNIZED'>;

/** A codec for the wire enum W: `wireEnum<carrier.Action>()<Action>('ACTION_', { ... })`. */
function wireEnum<W extends string>() {
  return <D extends string>(prefix: string, table: Readonly<Record<D, Named<W>>>): EnumCodec<D, W> =>
    codec(prefix, table);
}

function codec<D extends string, W extends string>(
  prefix: string,
  table: Readonly<Record<D, string>>,
): EnumCodec<D, W> {
  const values = Object.keys(table) as D[];
  const domainOf = new Map<string, D>(values.map((value) => [table[value], value]));
  // Maps both ways: the registry's CheckNumbers maps up to 10,000 statuses a call.
  const wireOf = new Map<string, W>(values.map((value) => [value, table[value] as W]));
  const unspecified = `${prefix}UNSPECIFIED` as W;
  const wireNames = values.map((value) => table[value]);
  const misnamed = wireNames.find((name) => !name.startsWith(prefix));
  if (misnamed !== undefined) throw new Error(`${misnamed} does not start with ${prefix}`);
  const listed = wireNames.length > 1 ? `${wireNames.slice(0, -1).join(', ')} or ${wireNames.at(-1)}` : wireNames[0];
  const expected = `must be ${listed}`;
  const tryFromWire = (value: W | null | undefined): D | undefined =>
    value === null || value === undefined ? undefined : domainOf.get(value);
  return {
    prefix,
    values,
    wireValues: wireNames as W[],
    unspecified,
    toWire: (value) => (value === null || value === undefined ? unspecified : (wireOf.get(value) ?? unspecified)),
    tryFromWire,
    fromWire(value, field) {
      const found = tryFromWire(value);
      if (found !== undefined) return found;
      const unset = value === null || value === undefined || value === unspecified;
      throw new ValidationError(unset ? ValidationErrorCode.Required : ValidationErrorCode.Malformed, field, expected);
    },
    name(value) {
      if (value === null || value === undefined || value === unspecified) return undefined;
      const text = String(value);
      return text.startsWith(prefix) ? text.slice(prefix.length) : text;
    },
  };
}

// fraud.common.v1

export const numberStatus = wireEnum<common.NumberStatus>()<`${RegistryStatus}`>('NUMBER_STATUS_', {
  NOT_LISTED: 'NUMBER_STATUS_NOT_LISTED',
  SUSPECTED: 'NUMBER_STATUS_SUSPECTED',
  CONFIRMED: 'NUMBER_STATUS_CONFIRMED',
  CLEARED: 'NUMBER_STATUS_CLEARED',
});

// fraud.registry.v1

export const verificationOutcome = wireEnum<registry.VerificationOutcome>()<VerificationOutcome>(
  'VERIFICATION_OUTCOME_',
  {
    [VerificationOutcome.Confirmed]: 'VERIFICATION_OUTCOME_CONFIRMED',
    [VerificationOutcome.Cleared]: 'VERIFICATION_OUTCOME_CLEARED',
  },
);

export const changeCause = wireEnum<registry.ChangeCause>()('CHANGE_CAUSE_', {
  FLAG: 'CHANGE_CAUSE_FLAG',
  VERIFICATION: 'CHANGE_CAUSE_VERIFICATION',
});

/** What VerifyAuditChain found broken, as libs/audit names it; an intact chain has no fault (UNSPECIFIED). */
export const auditChainFault = wireEnum<registry.AuditChainFault>()('AUDIT_CHAIN_FAULT_', {
  link_broken: 'AUDIT_CHAIN_FAULT_LINK_BROKEN',
  rows_missing: 'AUDIT_CHAIN_FAULT_ROWS_MISSING',
  hash_mismatch: 'AUDIT_CHAIN_FAULT_HASH_MISMATCH',
  anchor_invalid: 'AUDIT_CHAIN_FAULT_ANCHOR_INVALID',
});

// fraud.carrier.v1

export const usageProfile = wireEnum<carrier.UsageProfile>()<UsageProfile>('USAGE_PROFILE_', {
  [UsageProfile.None]: 'USAGE_PROFILE_NONE',
  [UsageProfile.Courier]: 'USAGE_PROFILE_COURIER',
  [UsageProfile.Delivery]: 'USAGE_PROFILE_DELIVERY',
  [UsageProfile.Logistics]: 'USAGE_PROFILE_LOGISTICS',
  [UsageProfile.Enterprise]: 'USAGE_PROFILE_ENTERPRISE',
});

export const reportCategory = wireEnum<carrier.ReportCategory>()<ReportCategory>('REPORT_CATEGORY_', {
  [ReportCategory.Fraud]: 'REPORT_CATEGORY_FRAUD',
  [ReportCategory.Harassment]: 'REPORT_CATEGORY_HARASSMENT',
  [ReportCategory.Spam]: 'REPORT_CATEGORY_SPAM',
});

export const action = wireEnum<carrier.Action>()<Action>('ACTION_', {
  [Action.None]: 'ACTION_NONE',
  [Action.Monitor]: 'ACTION_MONITOR',
  [Action.Warn]: 'ACTION_WARN',
  [Action.Restrict]: 'ACTION_RESTRICT',
  [Action.Suspend]: 'ACTION_SUSPEND',
  [Action.Restore]: 'ACTION_RESTORE',
  [Action.Report]: 'ACTION_REPORT',
});

/** What a carrier's switch does with a call (CheckCall). */
export const callVerdict = wireEnum<carrier.CallVerdict>()('CALL_VERDICT_', {
  ALLOW: 'CALL_VERDICT_ALLOW',
  /** Connect, but show the callee "suspected fraud". */
  LABEL: 'CALL_VERDICT_LABEL',
  BLOCK: 'CALL_VERDICT_BLOCK',
});

export const declarationOutcome = wireEnum<carrier.DeclarationOutcome>()('DECLARATION_OUTCOME_', {
  DECLARED: 'DECLARATION_OUTCOME_DECLARED',
  CONFIRMED_FRAUD: 'DECLARATION_OUTCOME_CONFIRMED_FRAUD',
});

/** As stored (the engine's REFER_TO_POLICE is stored as REFERRED_TO_POLICE). */
export const reactivationOutcome = wireEnum<carrier.ReactivationOutcome>()('REACTIVATION_OUTCOME_', {
  RESTORED: 'REACTIVATION_OUTCOME_RESTORED',
  NOT_SUSPENDED: 'REACTIVATION_OUTCOME_NOT_SUSPENDED',
  ID_NOT_VERIFIED: 'REACTIVATION_OUTCOME_ID_NOT_VERIFIED',
  REFERRED_TO_POLICE: 'REACTIVATION_OUTCOME_REFERRED_TO_POLICE',
  CONFIRMED_FRAUD: 'REACTIVATION_OUTCOME_CONFIRMED_FRAUD',
});

export const appealOutcome = wireEnum<carrier.AppealOutcome>()('APPEAL_OUTCOME_', {
  UPHELD: 'APPEAL_OUTCOME_UPHELD',
  REJECTED: 'APPEAL_OUTCOME_REJECTED',
  CONFIRMED_FRAUD: 'APPEAL_OUTCOME_CONFIRMED_FRAUD',
});

export const policyMode = wireEnum<carrier.PolicyMode>()('POLICY_MODE_', {
  ACTIVE: 'POLICY_MODE_ACTIVE',
  SHADOW: 'POLICY_MODE_SHADOW',
  SHADOW_OFF: 'POLICY_MODE_SHADOW_OFF',
});

/** A review task's state, as stored. */
export const reviewState = wireEnum<carrier.ReviewState>()('REVIEW_STATE_', {
  OPEN: 'REVIEW_STATE_OPEN',
  SUSPENDED: 'REVIEW_STATE_SUSPENDED',
  RESTORED: 'REVIEW_STATE_RESTORED',
  CLOSED: 'REVIEW_STATE_CLOSED',
});

/** A person's answer to a review, as the engine takes it (reviewDecided). */
export const reviewOutcome = wireEnum<carrier.ReviewOutcome>()('REVIEW_OUTCOME_', {
  SUSPEND: 'REVIEW_OUTCOME_SUSPEND',
  RESTORE: 'REVIEW_OUTCOME_RESTORE',
});

// fraud.admin.v1

export const directiveKind = wireEnum<admin.DirectiveKind>()('DIRECTIVE_KIND_', {
  REVIEW: 'DIRECTIVE_KIND_REVIEW',
  SUSPEND: 'DIRECTIVE_KIND_SUSPEND',
  RESTORE: 'DIRECTIVE_KIND_RESTORE',
  HIGH_RISK_CELLS: 'DIRECTIVE_KIND_HIGH_RISK_CELLS',
});

export const directiveStatus = wireEnum<admin.DirectiveStatus>()('DIRECTIVE_STATUS_', {
  PENDING: 'DIRECTIVE_STATUS_PENDING',
  DELIVERED: 'DIRECTIVE_STATUS_DELIVERED',
  APPLIED: 'DIRECTIVE_STATUS_APPLIED',
  REJECTED: 'DIRECTIVE_STATUS_REJECTED',
  EXPIRED: 'DIRECTIVE_STATUS_EXPIRED',
});

export const directiveOutcome = wireEnum<admin.DirectiveOutcome>()('DIRECTIVE_OUTCOME_', {
  APPLIED: 'DIRECTIVE_OUTCOME_APPLIED',
  REJECTED: 'DIRECTIVE_OUTCOME_REJECTED',
});

export const caseStatus = wireEnum<admin.CaseStatus>()('CASE_STATUS_', {
  OPEN: 'CASE_STATUS_OPEN',
  RESOLVED: 'CASE_STATUS_RESOLVED',
  ESCALATED: 'CASE_STATUS_ESCALATED',
});
