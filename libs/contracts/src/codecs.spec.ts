import { Action, ReportCategory, UsageProfile, ValidationError, ValidationErrorCode } from '@app/domain';
import * as codecs from './codecs';
import * as admin from './generated/fraud/admin/v1/admin';
import * as carrier from './generated/fraud/carrier/v1/carrier';
import * as common from './generated/fraud/common/v1/common';
import * as registry from './generated/fraud/registry/v1/registry';

const WIRE_ENUMS: [keyof typeof codecs, Record<string, string>][] = [
  ['numberStatus', common.NumberStatus],
  ['verificationOutcome', registry.VerificationOutcome],
  ['changeCause', registry.ChangeCause],
  ['auditChainFault', registry.AuditChainFault],
  ['usageProfile', carrier.UsageProfile],
  ['reportCategory', carrier.ReportCategory],
  ['action', carrier.Action],
  ['callVerdict', carrier.CallVerdict],
  ['declarationOutcome', carrier.DeclarationOutcome],
  ['reactivationOutcome', carrier.ReactivationOutcome],
  ['appealOutcome', carrier.AppealOutcome],
  ['policyMode', carrier.PolicyMode],
  ['reviewState', carrier.ReviewState],
  ['reviewOutcome', carrier.ReviewOutcome],
  ['directiveKind', admin.DirectiveKind],
  ['directiveStatus', admin.DirectiveStatus],
  ['directiveOutcome', admin.DirectiveOutcome],
  ['caseStatus', admin.CaseStatus],
];

describe('enum codecs', () => {
  it.each(WIRE_ENUMS)('%s maps every value of its wire enum, one to one, both ways', (name, wire) => {
    const codec = codecs[name] as codecs.EnumCodec<string, string>;
    const named = Object.values(wire).filter((value) => value !== codec.unspecified && value !== 'UNRECOGNIZED');
    expect(wire[codec.unspecified]).toBe(codec.unspecified);
    expect(codec.values.map((value) => codec.toWire(value)).sort()).toEqual([...named].sort());
    for (const value of codec.values) expect(codec.fromWire(codec.toWire(value), 'field')).toBe(value);
  });

  it('maps domain values to wire names and back, whatever their spelling in the domain', () => {
    expect(codecs.usageProfile.toWire(UsageProfile.Courier)).toBe(carrier.UsageProfile.USAGE_PROFILE_COURIER);
    expect(codecs.usageProfile.fromWire(carrier.UsageProfile.USAGE_PROFILE_NONE, 'profile')).toBe(UsageProfile.None);
    expect(codecs.reportCategory.tryFromWire(carrier.ReportCategory.REPORT_CATEGORY_SPAM)).toBe(ReportCategory.Spam);
    expect(codecs.action.toWire(Action.Suspend)).toBe(carrier.Action.ACTION_SUSPEND);
    expect(codecs.numberStatus.toWire('NOT_LISTED')).toBe(common.NumberStatus.NUMBER_STATUS_NOT_LISTED);
  });

  it('answers UNSPECIFIED for no value, or one this build does not know', () => {
    expect(codecs.action.toWire(undefined)).toBe(carrier.Action.ACTION_UNSPECIFIED);
    expect(codecs.action.toWire(null)).toBe(carrier.Action.ACTION_UNSPECIFIED);
    expect(codecs.action.toWire('PROMOTE' as Action)).toBe(carrier.Action.ACTION_UNSPECIFIED);
  });

  it('reads unset, UNSPECIFIED and unknown values as nothing, or refuses them naming the field', () => {
    for (const absent of [
      undefined,
      null,
      carrier.ReportCategory.REPORT_CATEGORY_UNSPECIFIED,
      'REPORT_CATEGORY_SCAM' as carrier.ReportCategory,
    ]) {
      expect(codecs.reportCategory.tryFromWire(absent)).toBeUndefined();
    }
    expect(() => codecs.reportCategory.fromWire(undefined, 'report.category')).toThrow(
      new ValidationError(
        ValidationErrorCode.Required,
        'report.category',
        'must be REPORT_CATEGORY_FRAUD, REPORT_CATEGORY_HARASSMENT or REPORT_CATEGORY_SPAM',
      ),
    );
    expect(() => codecs.usageProfile.fromWire(carrier.UsageProfile.USAGE_PROFILE_UNSPECIFIED, 'profile')).toThrow(
      'profile: must be USAGE_PROFILE_NONE, USAGE_PROFILE_COURIER, USAGE_PROFILE_DELIVERY, ' +
        'USAGE_PROFILE_LOGISTICS or USAGE_PROFILE_ENTERPRISE',
    );
    expect(() => codecs.usageProfile.fromWire(7 as unknown as carrier.UsageProfile, 'subscriber.profile')).toThrow(
      expect.objectContaining({ code: ValidationErrorCode.Malformed, field: 'subscriber.profile' }),
    );
  });

  it('names a wire value without its prefix for people, and an unknown one as sent', () => {
    expect(codecs.numberStatus.name(common.NumberStatus.NUMBER_STATUS_NOT_LISTED)).toBe('NOT_LISTED');
    expect(codecs.directiveKind.name('DIRECTIVE_KIND_RECALL' as admin.DirectiveKind)).toBe('RECALL');
    expect(codecs.caseStatus.name(admin.CaseStatus.CASE_STATUS_UNSPECIFIED)).toBeUndefined();
    expect(codecs.caseStatus.name(undefined)).toBeUndefined();
  });
});
