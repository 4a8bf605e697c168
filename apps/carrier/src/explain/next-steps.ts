import {
  Action,
  CALLS_LABELLED,
  formatChinaTime,
  REASONS,
  ReasonCode,
  reactivationWindowMs,
  KNOWN_CONTACT_DAYS,
  stillWorks,
  type LadderView,
  type RegistryMark,
} from '@app/domain';

export interface NextStepsInput {
  /** The number's step on the active ladder now. */
  state: Action;
  /** Reasons behind that step (and a report attack, when one was flagged). */
  reasons: readonly ReasonCode[];
  registry: RegistryMark | undefined;
  reactivationChancesLeft: number;
  /** The term of the current RESTRICT or SUSPEND (policy.terms); undefined: it has none. */
  term?: CurrentTerm;
  /** The numbers CheckCall always allows (the active policy's essentials); absent: the defaults. */
  essentials?: Iterable<string>;
  /** Since when a suspension held back waits for a person's review (policy.humanReview); undefined: none. */
  reviewPendingSince?: number;
  /** Its calls to strangers are labelled now (calleeProtection). */
  callsToStrangersLabelled?: boolean;
  /** Distinct callees warned after answering its calls, over KNOWN_CONTACT_DAYS. */
  calleesWarned?: number;
}

/** When the current RESTRICT or SUSPEND steps down to WARN unless new evidence renews it. */
export interface CurrentTerm {
  until: number;
  renewals: number;
  maxRenewals: number;
}

export interface NextSteps {
  zh: string;
  en: string;
}

/**
 * A number the police confirmed in the registry: call setup blocks it whatever
 * its step, and no carrier path (shop, re-activation, appeal) restores it.
 */
const CONFIRMED_BY_POLICE: NextSteps = {
  zh: '公安机关已在涉诈号码库中确认该号码涉诈，呼出被拦截。营业厅复机、身份核验、向运营商申诉或申报用途都无法恢复；如有异议，请向办案公安机关（凭案件编号）申请复核，公安机关解除后即恢复服务。',
  en:
    'Calls from this number are blocked: the police confirmed fraud on it in the fraud registry. ' +
    'A shop, an ID check, an appeal to the carrier or a declared work use cannot restore it; ' +
    'if you disagree, ask the police who handled the case to review it (quote the case id): ' +
    'service is restored once they clear the number.',
};

/**
 * What the subscriber can do now, from the step, the reasons and the registry:
 * plain sentences in Chinese and English.
 */
export function nextSteps(input: NextStepsInput): NextSteps {
  // The registry's confirmation outranks the ladder: the same answer CheckCall and Reactivate give.
  if (input.registry === 'CONFIRMED') {
    const still = stillWorks(Action.Suspend, input.essentials);
    return { zh: CONFIRMED_BY_POLICE.zh + still.zh, en: `${CONFIRMED_BY_POLICE.en} ${capitalise(still.en)}` };
  }
  const zh: string[] = [];
  const en: string[] = [];
  const say = (z: string, e: string) => {
    if (z && !zh.includes(z)) zh.push(z);
    if (e && !en.includes(e)) en.push(e);
  };
  switch (input.state) {
    case Action.Suspend: {
      if (input.reactivationChancesLeft > 0) {
        say(
          `号码已暂停服务。请本人携带身份证到营业厅，或通过官方安全电子身份认证渠道核验身份后办理复机；本期还剩${input.reactivationChancesLeft}次复机机会。`,
          'The number is suspended. Verify your identity in person at a shop, ' +
            'or through the secure e-ID service, to re-activate it; ' +
            `${input.reactivationChancesLeft} re-activation chance(s) left in this period.`,
        );
        say(
          '如认为是误判，可申诉，或通过涉诈号码库申请公安机关甄别；误判恢复不占用复机机会。',
          'If it was a mistake, appeal, or ask the police to verify the number through the fraud registry; ' +
            'a restore after a mistake uses no chance.',
        );
      } else {
        say(
          '号码已暂停服务，本期复机机会已用完：请通过涉诈号码库申请公安机关甄别（可到营业厅或派出所提出），甄别为误判后将恢复服务。',
          'The number is suspended and no re-activation chance is left in this period: ' +
            'ask the police to verify the number through the fraud registry (at a shop or a police station); ' +
            'service is restored if they clear it.',
        );
      }
      const still = stillWorks(Action.Suspend, input.essentials);
      say(still.zh, capitalise(still.en));
      break;
    }
    case Action.Restrict: {
      if (input.reviewPendingSince !== undefined) {
        const since = formatChinaTime(input.reviewPendingSince).replace('T', ' ').slice(0, 16);
        say(
          `号码已限制呼出，自${since}（北京时间）起等待工作人员人工复核：系统认为应当停机，但号码实名且使用年限较长，由人来决定是否停机。`,
          `Restricted, waiting for a person's review since ${since} (China time): the analysis found grounds to ` +
            'suspend this long-held real-name number, and a member of staff decides instead of the machine.',
        );
      }
      const still = stillWorks(Action.Restrict, input.essentials);
      say(
        `号码已限制呼出：不能拨打近${KNOWN_CONTACT_DAYS}天内未联系过的号码。${still.zh}` +
          '请本人携带身份证到营业厅，或通过官方安全电子身份认证渠道重新核验身份，核验后即恢复。',
        `Outgoing calls to numbers not in contact in the last ${KNOWN_CONTACT_DAYS} days are restricted. ` +
          `${capitalise(still.en)} ` +
          'Re-verify your identity at a shop, or through the secure e-ID service, to lift the restriction.',
      );
      break;
    }
    case Action.Warn:
    case Action.Monitor:
      say('服务未受影响。', 'Service is not affected.');
      if (input.callsToStrangersLabelled) say(CALLS_LABELLED.zh, CALLS_LABELLED.en);
      break;
    default:
      say('服务正常，无需处理。', 'Service is normal: nothing to do.');
  }
  if (input.term && (input.state === Action.Restrict || input.state === Action.Suspend)) {
    const { until, renewals, maxRenewals } = input.term;
    const when = formatChinaTime(until).replace('T', ' ').slice(0, 16);
    const measure = input.state === Action.Restrict ? ['限制呼出', 'restriction'] : ['暂停服务', 'suspension'];
    say(
      `${measure[0]}期限至${when}（北京时间）；期间如无新的风险证据，到期自动解除并降为风险提示。新的风险证据可使期限重新计算（已延期${renewals}次，最多${maxRenewals}次）。`,
      `The ${measure[1]} ends at ${when} (China time) unless new evidence renews it, ` +
        `and then steps down to a warning (renewed ${renewals} of at most ${maxRenewals} times).`,
    );
  }
  const warned = input.calleesWarned ?? 0;
  if (warned > 0)
    say(
      `近${KNOWN_CONTACT_DAYS}天内，有${warned}位接听过该号码来电的用户收到了反诈提醒短信。`,
      `In the last ${KNOWN_CONTACT_DAYS} days, ${warned} ${warned === 1 ? 'person' : 'people'} who answered ` +
        'its calls received an anti-fraud warning SMS.',
    );
  if (input.state !== Action.None) {
    for (const code of input.reasons)
      if (code !== ReasonCode.ReportAttack) say(REASONS[code]?.adviceZh ?? '', REASONS[code]?.adviceEn ?? '');
  }
  if (input.reasons.includes(ReasonCode.ReportAttack)) {
    say(
      '近期收到大量与您无通信往来的举报，已按疑似恶意举报记录，号码受到保护，无需处理。',
      'Many reports came from people this number never contacted: recorded as a likely false-report attack; ' +
        'the number is protected and you need do nothing.',
    );
  }
  if (input.registry === 'SUSPECTED')
    say(REASONS[ReasonCode.RegistrySuspected].adviceZh, REASONS[ReasonCode.RegistrySuspected].adviceEn);
  else if (input.registry === 'CLEARED')
    say(
      '公安机关已甄别解除该号码，同样的证据不会再导致停机。',
      'Police cleared this number: the same evidence can never suspend it again.',
    );
  return { zh: zh.join(''), en: en.join(' ') };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Re-activation chances left under the ladder's policy: the policy's chances minus those used inside its window. */
export function reactivationChancesLeft(ladder: LadderView, key: number, atMs: number): number {
  const { chances } = ladder.policy.reactivation;
  const window = reactivationWindowMs(ladder.policy);
  const used = ladder.standingOf(key)?.chancesUsedAt.filter((t) => atMs - t < window).length ?? 0;
  return Math.max(0, chances - used);
}

/**
 * The term of the number's current RESTRICT or SUSPEND on the ladder, as of
 * `atMs`: undefined when it has none or it has ended (the number is at WARN).
 */
export function currentTerm(ladder: LadderView, key: number, atMs: number): CurrentTerm | undefined {
  const standing = ladder.standingOf(key);
  if (!standing || !Number.isFinite(standing.termEnds) || standing.termEnds <= atMs) return undefined;
  if (standing.level !== Action.Restrict && standing.level !== Action.Suspend) return undefined;
  return { until: standing.termEnds, renewals: standing.renewals, maxRenewals: ladder.rules.maxRenewals };
}

/**
 * The reasons behind the current step: those of the decision that put the
 * number there and of any decision since (newest first in `decisions`). A report
 * attack is flagged without moving the ladder, so it never marks the step.
 */
export function reasonsBehind(
  state: Action,
  decisions: readonly { action: Action; reasons: readonly ReasonCode[] }[],
): ReasonCode[] {
  const isAttack = (d: { reasons: readonly ReasonCode[] }) => d.reasons.includes(ReasonCode.ReportAttack);
  if (state === Action.None) return decisions[0] && isAttack(decisions[0]) ? [ReasonCode.ReportAttack] : [];
  const reasons = new Set<ReasonCode>();
  for (const decision of decisions) {
    decision.reasons.forEach((code) => reasons.add(code));
    if (decision.action === state && !isAttack(decision)) break;
  }
  return [...reasons];
}
