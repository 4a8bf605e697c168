import { formatChinaTime } from './replay';
import type { Decision } from './ladder';
import { Action } from './policy';
import { ReasonCode, REASONS } from './reasons';
import { RULE_DEFAULTS } from './rules';
import { KNOWN_CONTACT_DAYS, type CalleeWarning } from './engine';

const STEP_ZH: Partial<Record<Action, string>> = {
  [Action.Warn]: '风险提示',
  [Action.Restrict]: '已限制呼出',
  [Action.Suspend]: '已暂停服务',
  [Action.Restore]: '已恢复服务',
};

const APPEAL_ZH = '如有异议，可致电客服或到营业厅申诉，也可申请公安机关甄别；误判将及时恢复，且不占用复机机会。';

/**
 * What still works under a RESTRICT or SUSPEND, as CheckCall answers it, in
 * Chinese and English: the essentials (policy.essentials) always; under
 * RESTRICT, calls to numbers in contact within KNOWN_CONTACT_DAYS; incoming
 * calls always (call setup judges the caller only).
 */
export function stillWorks(
  action: Action.Restrict | Action.Suspend,
  essentials: Iterable<string> = RULE_DEFAULTS.essentials,
): { zh: string; en: string } {
  const list = [...essentials];
  const zh = list.length > 0 ? `紧急和服务号码（${list.join('、')}）始终可以拨打；` : '';
  const en = list.length > 0 ? `Emergency and service numbers (${list.join(', ')}) can always be called; ` : '';
  if (action === Action.Suspend) return { zh: `${zh}来电仍可接听。`, en: `${en}incoming calls still come through.` };
  return {
    zh: `${zh}近${KNOWN_CONTACT_DAYS}天内与您通过电话或短信的号码仍可拨打；所有来电均可接听，上网不受影响。`,
    en:
      `${en}numbers you called, texted or heard from in the last ${KNOWN_CONTACT_DAYS} days can still be called; ` +
      'all incoming calls and data still work.',
  };
}

const RESTRICTED_ZH = `仅限制拨打近${KNOWN_CONTACT_DAYS}天内未联系过的号码`;

export interface NoticeOptions {
  /** The policy labels a warned number's calls to strangers (calleeProtection from WARN or MONITOR). */
  labelsCallsToStrangers?: boolean;
}

/** What a WARN under calleeProtection means for the number's calls (CheckCall's CARRIER_WARNED). */
export const CALLS_LABELLED = {
  zh: `风险提示期间，您拨打给近${KNOWN_CONTACT_DAYS}天内未联系过的号码的电话，对方将看到"疑似诈骗"提示；拨打联系过的号码不受影响。`,
  en:
    `While the warning stands, calls to numbers not in contact in the last ${KNOWN_CONTACT_DAYS} days ` +
    'are shown to the person called as suspected fraud; calls to numbers in contact are not.',
} as const;
const LABELLED_ZH = CALLS_LABELLED.zh;

/**
 * The notice a subscriber receives for a decision, in plain Chinese: what
 * happened, the concrete reason (with the base station and time when a cell is
 * involved), what to do, and how to appeal. Undefined when no notice is due.
 */
export function noticeText(
  decision: Decision,
  essentials: Iterable<string> = RULE_DEFAULTS.essentials,
  options: NoticeOptions = {},
): string | undefined {
  if (decision.shadow) return undefined;
  const step = STEP_ZH[decision.action];
  if (!step) return undefined;
  const when = minute(decision.at);
  if (decision.action === Action.Restrict && decision.reasons.includes(ReasonCode.ReviewPending))
    return reviewText(decision, essentials);
  const labelled = options.labelsCallsToStrangers && decision.action === Action.Warn ? LABELLED_ZH : '';
  const termed = termText(decision, essentials);
  if (termed !== undefined) return labelled ? `${termed}${labelled}` : termed;
  const reasons = decision.reasons.map((code) => REASONS[code].zh).join('；');
  const cells = decision.evidence.cells
    .slice(0, 3)
    .map((c) => `${c.cell}（${formatChinaTime(c.at).replace('T', ' ').slice(5, 16)}）`)
    .join('、');
  const advice = [...new Set(decision.reasons.map((code) => REASONS[code].adviceZh).filter((a) => a !== ''))].join('');
  switch (decision.action) {
    case Action.Warn:
      return (
        `【风险提示】您的号码${decision.msisdn}于${when}被系统提示风险：${reasons}${cells ? `，涉及基站：${cells}` : ''}。` +
        `目前服务不受影响。${labelled}${advice}${APPEAL_ZH}`
      );
    case Action.Restrict:
      return (
        `【${step}】您的号码${decision.msisdn}于${when}因${reasons}${cells ? `（基站：${cells}）` : ''}被限制呼出` +
        `（${RESTRICTED_ZH}）。${stillWorks(Action.Restrict, essentials).zh}` +
        `请携带身份证到营业厅或通过官方渠道完成身份核验后恢复。${advice}${APPEAL_ZH}`
      );
    case Action.Suspend:
      return (
        `【${step}】您的号码${decision.msisdn}于${when}因${reasons}${cells ? `（基站：${cells}）` : ''}被暂停服务。` +
        `${stillWorks(Action.Suspend, essentials).zh}请携带身份证到营业厅核验身份办理复机。${APPEAL_ZH}`
      );
    default:
      return `【${step}】您的号码${decision.msisdn}已于${when}恢复服务（${reasons}）。感谢您的配合。`;
  }
}

/**
 * A suspension held back for a person's review (REVIEW_PENDING): the number is restricted meanwhile, the notice
 * says why, until when (with a term), what still works, and that a person decides.
 */
function reviewText(decision: Decision, essentials: Iterable<string>): string {
  const reasons = decision.reasons
    .filter((code) => code !== ReasonCode.ReviewPending)
    .map((code) => REASONS[code].zh)
    .join('；');
  const cells = decision.evidence.cells
    .slice(0, 3)
    .map((c) => `${c.cell}（${formatChinaTime(c.at).replace('T', ' ').slice(5, 16)}）`)
    .join('、');
  const until = decision.term ? `，期限至${minute(decision.term.until)}` : '';
  return (
    `【已限制呼出，待人工复核】您的号码${decision.msisdn}于${minute(decision.at)}因${reasons}` +
    `${cells ? `（基站：${cells}）` : ''}触发停机条件。因号码为实名登记且使用年限较长，系统未直接停机，` +
    `已暂时限制呼出（${RESTRICTED_ZH}）${until}，由工作人员人工复核后决定。${stillWorks(Action.Restrict, essentials).zh}` +
    `${REASONS[ReasonCode.ReviewPending].adviceZh}${APPEAL_ZH}`
  );
}

/** A time as the notices write it, China Standard Time to the minute: 2024-02-06 19:05. */
function minute(ms: number): string {
  return formatChinaTime(ms).replace('T', ' ').slice(0, 16);
}

const MEASURE_ZH: Partial<Record<Action, string>> = {
  [Action.Restrict]: '限制呼出',
  [Action.Suspend]: '暂停服务',
};

/**
 * The notices of terms (policy.terms): a RESTRICT or SUSPEND says until when
 * it stands, a renewal says it was extended and until when, a lapse says the
 * measure ended. Undefined for every other decision.
 */
function termText(decision: Decision, essentials: Iterable<string>): string | undefined {
  const { action, previous, term, msisdn } = decision;
  const when = minute(decision.at);
  if (action === Action.Warn && decision.reasons.includes(ReasonCode.TermLapsed)) {
    const measure = MEASURE_ZH[previous] ?? '限制';
    return (
      `【已恢复服务】您的号码${msisdn}的${measure}已于${when}期满解除，期间未发现新的风险证据。` +
      `号码仍处于风险提示状态，如再出现涉诈风险行为，将被重新限制。`
    );
  }
  const measure = MEASURE_ZH[action];
  if (term === undefined || measure === undefined) return undefined;
  const until = minute(term.until);
  const reasons = decision.reasons.map((code) => REASONS[code].zh).join('；');
  const cells = decision.evidence.cells
    .slice(0, 3)
    .map((c) => `${c.cell}（${formatChinaTime(c.at).replace('T', ' ').slice(5, 16)}）`)
    .join('、');
  const where = cells ? `（基站：${cells}）` : '';
  const lifts =
    action === Action.Restrict
      ? `${RESTRICTED_ZH}，${stillWorks(action, essentials).zh}也可携带身份证到营业厅或通过官方渠道完成身份核验后提前恢复。`
      : `${stillWorks(Action.Suspend, essentials).zh}也可携带身份证到营业厅核验身份提前办理复机。`;
  const renewed = previous === action;
  const what = renewed
    ? `【${measure}延期】您的号码${msisdn}于${when}因新的风险证据：${reasons}${where}，${measure}延长至${until}（第${term.renewals}次延期）。`
    : `【${STEP_ZH[action]}】您的号码${msisdn}于${when}因${reasons}${where}被${measure}，期限至${until}。`;
  const advice = [...new Set(decision.reasons.map((code) => REASONS[code].adviceZh).filter((a) => a !== ''))].join('');
  return `${what}期满前如无新的风险证据，将自动解除并降为风险提示。${lifts}${advice}${APPEAL_ZH}`;
}

/** The national anti-fraud hotline a warned callee is pointed to. */
export const ANTI_FRAUD_HOTLINE = '96110';

/**
 * The SMS to a callee of ours who answered a call from a number at
 * calleeProtection.fromStep or above (a CalleeWarning), in Chinese and English.
 * It names the calling number, as operators' "suspected fraud" call labels do,
 * but says only that the call may be fraud: never why the number is suspected
 * (the caller's evidence is its own), nor that it is.
 */
export function calleeWarningText(warning: Pick<CalleeWarning, 'at' | 'caller'>): { zh: string; en: string } {
  const when = minute(warning.at);
  return {
    zh:
      `【反诈提醒】您于${when}接听的来自${warning.caller}的来电可能涉嫌诈骗。` +
      `请勿透露验证码、银行卡密码等信息，勿向陌生人转账汇款。如有疑问，请拨打全国反诈专线${ANTI_FRAUD_HOTLINE}。`,
    en:
      `Anti-fraud alert: a call you just received from ${warning.caller} (${when}, China time) may be fraud. ` +
      'Never share verification codes or passwords, and never transfer money to someone you do not know. ' +
      `If in doubt, call the anti-fraud hotline ${ANTI_FRAUD_HOTLINE}.`,
  };
}
