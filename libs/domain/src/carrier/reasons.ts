/** What kind of evidence a signal is: a suspension needs more than one kind. */
export enum SignalKind {
  Behaviour = 'behaviour',
  Reports = 'reports',
  Location = 'location',
  Registry = 'registry',
  Number = 'number',
}

export enum ReasonCode {
  CallBurst = 'CALL_BURST',
  ManyNewContacts = 'MANY_NEW_CONTACTS',
  /** The same, sustained over a day: a caller who keeps under the short windows' thresholds. */
  ManyNewContactsDay = 'MANY_NEW_CONTACTS_24H',
  LowAnswerRate = 'LOW_ANSWER_RATE',
  ShortCalls = 'SHORT_CALLS',
  OneRingCalls = 'ONE_RING_CALLS',
  SequentialDialling = 'SEQUENTIAL_DIALLING',
  SmsBurst = 'SMS_BURST',
  NewNumber = 'NEW_NUMBER',
  NewSegment = 'NEW_SEGMENT',
  HighRiskCellActivity = 'HIGH_RISK_CELL_ACTIVITY',
  HighRiskCellPresence = 'HIGH_RISK_CELL_PRESENCE',
  CorroboratedReports = 'CORROBORATED_REPORTS',
  UncorroboratedReports = 'UNCORROBORATED_REPORTS',
  RegistrySuspected = 'REGISTRY_SUSPECTED',
  RegistryConfirmed = 'REGISTRY_CONFIRMED',
  /** Many reports from people the number never called: a possible attack on it. */
  ReportAttack = 'REPORT_ATTACK',
  /** A foreign number seen harassing our subscribers: reported to the administration. */
  ForeignHarassment = 'FOREIGN_HARASSMENT',
  Directive = 'DIRECTIVE',
  IdVerified = 'ID_VERIFIED',
  PoliceCleared = 'POLICE_CLEARED',
  RegistryCleared = 'REGISTRY_CLEARED',
  AppealUpheld = 'APPEAL_UPHELD',
}

interface ReasonText {
  kind: SignalKind | 'outcome';
  zh: string;
  en: string;
  /** What the subscriber can do about it. */
  adviceZh: string;
  adviceEn: string;
}

const VOLUME_ADVICE_ZH =
  '如因工作（快递、外卖、物流等）需要大量外呼，请通过单位或平台申报号码用途，我们将据此调整判断。';
const VOLUME_ADVICE_EN =
  'If your work (courier, delivery, logistics) needs many calls, have your employer or platform declare this use of the number.';

export const REASONS: Record<ReasonCode, ReasonText> = {
  [ReasonCode.CallBurst]: {
    kind: SignalKind.Behaviour,
    zh: '短时间内外呼次数异常多',
    en: 'unusually many outgoing calls in a short time',
    adviceZh: VOLUME_ADVICE_ZH,
    adviceEn: VOLUME_ADVICE_EN,
  },
  [ReasonCode.ManyNewContacts]: {
    kind: SignalKind.Behaviour,
    zh: '短时间内拨打大量从未联系过的号码',
    en: 'many calls to numbers never contacted before',
    adviceZh: VOLUME_ADVICE_ZH,
    adviceEn: VOLUME_ADVICE_EN,
  },
  [ReasonCode.ManyNewContactsDay]: {
    kind: SignalKind.Behaviour,
    zh: '一天内持续拨打大量从未联系过的号码',
    en: 'calls to many numbers never contacted before, all day long',
    adviceZh: VOLUME_ADVICE_ZH,
    adviceEn: VOLUME_ADVICE_EN,
  },
  [ReasonCode.LowAnswerRate]: {
    kind: SignalKind.Behaviour,
    zh: '外呼接通率异常低',
    en: 'very few outgoing calls are answered',
    adviceZh: '请留意是否有人盗用您的号码；如有疑问请联系客服。',
    adviceEn: 'Check that nobody else is using your number; contact customer service if unsure.',
  },
  [ReasonCode.ShortCalls]: {
    kind: SignalKind.Behaviour,
    zh: '大量接通后数秒即挂断的通话',
    en: 'many calls hung up within seconds',
    adviceZh: '请留意是否有人盗用您的号码；如有疑问请联系客服。',
    adviceEn: 'Check that nobody else is using your number; contact customer service if unsure.',
  },
  [ReasonCode.OneRingCalls]: {
    kind: SignalKind.Behaviour,
    zh: '大量响一声即挂断的呼叫（“响一声”诈骗特征）',
    en: 'many one-ring calls (a "wangiri" pattern)',
    adviceZh: '请立即联系客服核实号码使用情况。',
    adviceEn: 'Contact customer service at once to check how the number is used.',
  },
  [ReasonCode.SequentialDialling]: {
    kind: SignalKind.Behaviour,
    zh: '按号码顺序连续拨号',
    en: 'numbers dialled in sequence',
    adviceZh: '请立即联系客服核实号码使用情况。',
    adviceEn: 'Contact customer service at once to check how the number is used.',
  },
  [ReasonCode.SmsBurst]: {
    kind: SignalKind.Behaviour,
    zh: '短时间内群发大量短信',
    en: 'a burst of text messages to many recipients',
    adviceZh: '如为企业通知短信，请使用已备案的企业短信通道。',
    adviceEn: 'Business notices must go through a registered bulk-SMS channel.',
  },
  [ReasonCode.NewNumber]: {
    kind: SignalKind.Number,
    zh: '新入网号码',
    en: 'a newly activated number',
    adviceZh: '新号码本身不会导致停机；完成实名核验有助于避免误判。',
    adviceEn: 'A new number alone never leads to suspension; completing real-name verification helps.',
  },
  [ReasonCode.NewSegment]: {
    kind: SignalKind.Number,
    zh: '号码属于新启用号段',
    en: 'the number is in a newly opened segment',
    adviceZh: '号段本身不会导致停机。',
    adviceEn: 'The number segment alone never leads to suspension.',
  },
  [ReasonCode.HighRiskCellActivity]: {
    kind: SignalKind.Location,
    zh: '长时间在诈骗高发基站下拨打电话',
    en: 'calls made while staying at a high-fraud-risk base station',
    adviceZh: '如您只是途经，请联系客服说明行程；途经本身不会导致停机。',
    adviceEn:
      'If you were only passing through, tell customer service; passing through alone never leads to suspension.',
  },
  [ReasonCode.HighRiskCellPresence]: {
    kind: SignalKind.Location,
    zh: '途经诈骗高发基站',
    en: 'passed through a high-fraud-risk base station',
    adviceZh: '途经本身不会导致停机或断网。',
    adviceEn: 'Passing through alone never leads to suspension or loss of data service.',
  },
  [ReasonCode.CorroboratedReports]: {
    kind: SignalKind.Reports,
    zh: '被曾接到您来电或短信的用户举报',
    en: 'reported by people who really received your calls or texts',
    adviceZh: '如有异议，可申诉并申请公安机关甄别。',
    adviceEn: 'If you disagree, appeal and ask the police to verify the number.',
  },
  [ReasonCode.UncorroboratedReports]: {
    kind: SignalKind.Reports,
    zh: '被未与您有通信往来的用户举报',
    en: 'reported by people who never received your calls or texts',
    adviceZh: '此类举报不会单独导致限制或停机。',
    adviceEn: 'Such reports alone never restrict or suspend a number.',
  },
  [ReasonCode.RegistrySuspected]: {
    kind: SignalKind.Registry,
    zh: '号码被列入涉诈嫌疑名单',
    en: 'the number is listed as suspected in the fraud registry',
    adviceZh: '可申请公安机关甄别。',
    adviceEn: 'You can ask the police to verify the number.',
  },
  [ReasonCode.RegistryConfirmed]: {
    kind: SignalKind.Registry,
    zh: '公安机关确认号码涉诈',
    en: 'police confirmed fraud on this number',
    adviceZh: '如有异议，请向公安机关申请复核。',
    adviceEn: 'If you disagree, ask the police to review the case.',
  },
  [ReasonCode.ReportAttack]: {
    kind: 'outcome',
    zh: '短时间内收到大量无通信往来的举报，疑似恶意举报，号码受到保护',
    en: 'many reports from people never contacted: a possible false-report attack; the number is protected',
    adviceZh: '无需处理，我们已将此情况记录在案。',
    adviceEn: 'Nothing to do: this has been recorded.',
  },
  [ReasonCode.ForeignHarassment]: {
    kind: 'outcome',
    zh: '他网号码骚扰本网用户，已报送通信管理局',
    en: 'a number of another network harassing our subscribers: reported to the administration',
    adviceZh: '由号码归属运营商核实处理。',
    adviceEn: 'The owning carrier will review it.',
  },
  [ReasonCode.Directive]: {
    kind: SignalKind.Registry,
    zh: '通信管理局指令',
    en: 'a directive from the communications administration',
    adviceZh: '如有异议，可申诉并申请公安机关甄别。',
    adviceEn: 'If you disagree, appeal and ask the police to verify the number.',
  },
  [ReasonCode.IdVerified]: {
    kind: 'outcome',
    zh: '已完成身份核验，号码恢复',
    en: 'identity verified: service restored',
    adviceZh: '',
    adviceEn: '',
  },
  [ReasonCode.PoliceCleared]: {
    kind: 'outcome',
    zh: '公安机关甄别为误关停，号码恢复',
    en: 'police found the suspension mistaken: service restored',
    adviceZh: '',
    adviceEn: '',
  },
  [ReasonCode.RegistryCleared]: {
    kind: 'outcome',
    zh: '涉诈名单已解除，号码恢复',
    en: 'cleared in the fraud registry: service restored',
    adviceZh: '',
    adviceEn: '',
  },
  [ReasonCode.AppealUpheld]: {
    kind: 'outcome',
    zh: '申诉成立，号码恢复',
    en: 'appeal upheld: service restored',
    adviceZh: '',
    adviceEn: '',
  },
};
