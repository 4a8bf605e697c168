import { SignalKind, type ReasonText } from './signal';

/** A reason of a decision that is not measured: an order from outside, a restore, a report to the administration. */
export interface OutcomeReason<K extends string = string, C extends string = string> {
  readonly key: K;
  readonly code: C;
  readonly text: ReasonText;
}

function outcome<const K extends string, const C extends string>(reason: OutcomeReason<K, C>): OutcomeReason<K, C> {
  return reason;
}

const RESTORED = { adviceZh: '', adviceEn: '' } as const;

export const OUTCOME_REASONS = [
  outcome({
    key: 'ForeignHarassment',
    code: 'FOREIGN_HARASSMENT',
    text: {
      kind: 'outcome',
      zh: '他网号码骚扰本网用户，已报送通信管理局',
      en: 'a number of another network harassing our subscribers: reported to the administration',
      adviceZh: '由号码归属运营商核实处理。',
      adviceEn: 'The owning carrier will review it.',
    },
  }),
  outcome({
    key: 'Directive',
    code: 'DIRECTIVE',
    text: {
      kind: SignalKind.Registry,
      zh: '通信管理局指令',
      en: 'a directive from the communications administration',
      adviceZh: '如有异议，可申诉并申请公安机关甄别。',
      adviceEn: 'If you disagree, appeal and ask the police to verify the number.',
    },
  }),
  outcome({
    key: 'IdVerified',
    code: 'ID_VERIFIED',
    text: { kind: 'outcome', zh: '已完成身份核验，号码恢复', en: 'identity verified: service restored', ...RESTORED },
  }),
  outcome({
    key: 'PoliceCleared',
    code: 'POLICE_CLEARED',
    text: {
      kind: 'outcome',
      zh: '公安机关甄别为误关停，号码恢复',
      en: 'police found the suspension mistaken: service restored',
      ...RESTORED,
    },
  }),
  outcome({
    key: 'RegistryCleared',
    code: 'REGISTRY_CLEARED',
    text: {
      kind: 'outcome',
      zh: '涉诈名单已解除，号码恢复',
      en: 'cleared in the fraud registry: service restored',
      ...RESTORED,
    },
  }),
  outcome({
    key: 'AppealUpheld',
    code: 'APPEAL_UPHELD',
    text: { kind: 'outcome', zh: '申诉成立，号码恢复', en: 'appeal upheld: service restored', ...RESTORED },
  }),
  outcome({
    key: 'TermLapsed',
    code: 'TERM_LAPSED',
    text: {
      kind: 'outcome',
      zh: '限制期满且期间无新的风险证据，已降为风险提示',
      en: 'the term of the restriction or suspension ended without new evidence: stepped down to a warning',
      adviceZh: '服务已恢复；如再出现涉诈风险行为，号码将被重新限制。',
      adviceEn: 'Service is back; new signs of fraud would restrict the number again.',
    },
  }),
  outcome({
    key: 'ReviewPending',
    code: 'REVIEW_PENDING',
    text: {
      kind: 'outcome',
      zh: '号码实名且使用年限较长，暂不停机，先限制呼出并交由人工复核',
      en: 'a long-held real-name number: restricted instead of suspended until a person reviews it',
      adviceZh: '工作人员将尽快复核；如有疑问，可拨打客服电话或申诉。',
      adviceEn: 'A member of staff will review it soon; call customer service or appeal if in doubt.',
    },
  }),
  outcome({
    key: 'LabelFirst',
    code: 'LABEL_FIRST',
    text: {
      kind: 'outcome',
      zh: '风险证据已达限制标准：先标注其拨打陌生号码的呼叫，下一次此类呼叫起限制呼出',
      en: 'the evidence supports a restriction: calls to strangers are labelled first, and the next one restricts it',
      adviceZh: '如这些呼叫属于正常业务，请向运营商申报号码用途（如快递、外卖）或提出申诉。',
      adviceEn:
        "If these calls are your work, declare the number's use (courier, delivery) to your carrier, or appeal.",
    },
  }),
  outcome({
    key: 'ReviewConfirmed',
    code: 'REVIEW_CONFIRMED',
    text: {
      kind: 'outcome',
      zh: '人工复核确认涉诈风险，号码停机',
      en: 'a person reviewed the evidence and confirmed the suspension',
      adviceZh: '如有异议，可申诉并申请公安机关甄别。',
      adviceEn: 'If you disagree, appeal and ask the police to verify the number.',
    },
  }),
  outcome({
    key: 'ReviewRejected',
    code: 'REVIEW_REJECTED',
    text: {
      kind: 'outcome',
      zh: '人工复核认定为误判，号码恢复',
      en: 'a person reviewed the evidence and found it mistaken: service restored',
      ...RESTORED,
    },
  }),
] as const;
