import type { Features } from './features';
import { Action, ladderLevel, type PolicyDocument } from './policy';
import { REASONS, ReasonCode, SignalKind } from './reasons';

/** One reason, measured: the value against its threshold, and what it weighed. */
export interface Signal {
  code: ReasonCode;
  kind: SignalKind;
  /** The measure's name as shown in evidence, e.g. `calls_90m`. */
  measure: string;
  value: number;
  threshold: number;
  strength: number;
  contribution: number;
}

export interface Assessment {
  score: number;
  signals: Signal[];
  /** The ladder step the evidence supports, after the policy's gates. */
  action: Action;
}

/** Evidence that alone never restricts under a policy with a weak-evidence cap. */
const WEAK: ReadonlySet<ReasonCode> = new Set([
  ReasonCode.NewNumber,
  ReasonCode.NewSegment,
  ReasonCode.HighRiskCellPresence,
  ReasonCode.UncorroboratedReports,
]);
/** Kinds that count towards the several kinds a suspension needs. */
const EVIDENCE_KINDS: ReadonlySet<SignalKind> = new Set([
  SignalKind.Behaviour,
  SignalKind.Reports,
  SignalKind.Location,
  SignalKind.Registry,
]);
const VOLUME: ReadonlySet<ReasonCode> = new Set([
  ReasonCode.CallBurst,
  ReasonCode.ManyNewContacts,
  ReasonCode.ManyNewContactsDay,
]);

function strengthOf(value: number, threshold: number, policy: PolicyDocument): number {
  if (!(value >= threshold) || threshold <= 0) return value >= threshold && threshold <= 0 && value > 0 ? 1 : 0;
  if (policy.curve === 'step') return 1;
  return Math.min(1, 0.5 + (0.5 * (value - threshold)) / threshold);
}

/** A number measured against a policy: the reasons that apply, their combined score, the action. */
export function assess(f: Features, policy: PolicyDocument): Assessment {
  const t = policy.thresholds;
  const signals: Signal[] = [];
  const add = (code: ReasonCode, measure: string, value: number, threshold: number, strength?: number) => {
    const weight = policy.weights[code] ?? 0;
    if (weight <= 0) return;
    const s = strength ?? strengthOf(value, threshold, policy);
    if (s <= 0) return;
    signals.push({
      code,
      kind: REASONS[code].kind as SignalKind,
      measure,
      value: round(value),
      threshold: round(threshold),
      strength: s,
      contribution: weight * s,
    });
  };

  const volume = policy.profileVolumeMultiplier[f.profile] ?? 1;
  // Two windows of one reason: the stronger one speaks for it.
  const burst10 = strengthOf(f.calls10m, t.calls10m * volume, policy);
  const burst90 = strengthOf(f.calls90m, t.calls90m * volume, policy);
  if (burst10 >= burst90) add(ReasonCode.CallBurst, 'calls_10m', f.calls10m, t.calls10m * volume, burst10);
  else add(ReasonCode.CallBurst, 'calls_90m', f.calls90m, t.calls90m * volume, burst90);
  add(ReasonCode.ManyNewContacts, 'new_contacts_90m', f.newContacts90m, t.newContacts90m * volume);
  // Documents before default@2 have no daily threshold: not measured under them.
  if (t.newContacts24h !== undefined)
    add(ReasonCode.ManyNewContactsDay, 'new_contacts_24h', f.newContacts24h, t.newContacts24h * volume);

  if (f.calls24h >= t.lowAnswerRate.minCalls && t.lowAnswerRate.max > 0) {
    const rate = f.answered24h / f.calls24h;
    if (rate < t.lowAnswerRate.max) {
      const s = policy.curve === 'step' ? 1 : 0.5 + (0.5 * (t.lowAnswerRate.max - rate)) / t.lowAnswerRate.max;
      add(ReasonCode.LowAnswerRate, 'answer_rate_24h', rate, t.lowAnswerRate.max, s);
    }
  }
  if (f.answeredRecent >= t.shortCalls.minAnswered) {
    add(ReasonCode.ShortCalls, 'short_call_share_24h', f.shortAnswered / f.answeredRecent, t.shortCalls.share);
  }
  add(ReasonCode.OneRingCalls, 'one_ring_calls_24h', f.oneRing24h, t.oneRing.count24h);
  add(ReasonCode.SequentialDialling, 'sequential_run', f.sequentialRun, t.sequentialRun.length);
  const sms10 = strengthOf(f.sms10m, t.sms10m, policy);
  const sms24 = strengthOf(f.sms24h, t.smsRecipients24h, policy);
  if (sms10 >= sms24) add(ReasonCode.SmsBurst, 'sms_10m', f.sms10m, t.sms10m, sms10);
  else add(ReasonCode.SmsBurst, 'sms_24h', f.sms24h, t.smsRecipients24h, sms24);
  if (f.ageDays >= 0 && f.ageDays < t.newNumberDays)
    add(ReasonCode.NewNumber, 'number_age_days', f.ageDays, t.newNumberDays, 1);
  if (f.newSegment) add(ReasonCode.NewSegment, 'new_segment', 1, 1, 1);
  add(ReasonCode.HighRiskCellActivity, 'calls_at_high_risk_cells_24h', f.highRiskActivity, t.highRiskActivity.calls);
  add(
    ReasonCode.HighRiskCellPresence,
    'high_risk_cell_sightings_24h',
    f.highRiskSightings,
    t.highRiskPresence,
    f.highRiskSightings >= t.highRiskPresence ? 1 : 0,
  );
  add(
    ReasonCode.CorroboratedReports,
    'corroborated_reporters',
    f.corroboratedReporters,
    t.corroboratedReports.reporters,
  );
  add(ReasonCode.UncorroboratedReports, 'uncorroborated_reports_30d', f.uncorroboratedReports, t.uncorroboratedReports);
  if (f.registry === 'SUSPECTED') add(ReasonCode.RegistrySuspected, 'registry_suspected', 1, 1, 1);
  if (f.registry === 'CONFIRMED') add(ReasonCode.RegistryConfirmed, 'registry_confirmed', 1, 1, 1);

  // Honest heavy callers: their calls are answered and called back.
  if (policy.gates.honestPatternDiscount && f.callsRecent >= 5) {
    const answerRate = f.answeredRecent / f.callsRecent;
    if (answerRate >= 0.6 && f.callbacks / f.callsRecent >= 0.1) {
      for (const s of signals) if (VOLUME.has(s.code)) s.contribution /= 2;
    }
  }

  const score = round(1 - signals.reduce((remaining, s) => remaining * (1 - s.contribution), 1));
  return {
    score,
    signals: signals.sort((a, b) => b.contribution - a.contribution),
    action: gate(score, signals, policy),
  };
}

function gate(score: number, signals: Signal[], policy: PolicyDocument): Action {
  const l = policy.ladder;
  let action =
    score >= l.suspend
      ? Action.Suspend
      : score >= l.restrict
        ? Action.Restrict
        : score >= l.warn
          ? Action.Warn
          : score >= l.monitor
            ? Action.Monitor
            : Action.None;
  const meaningful = signals.filter((s) => s.contribution >= 0.05);
  if (meaningful.every((s) => WEAK.has(s.code)) && ladderLevel(action) > ladderLevel(policy.gates.weakEvidenceCap))
    action = policy.gates.weakEvidenceCap;
  if (
    action === Action.Suspend &&
    policy.gates.suspendMinKinds > 1 &&
    !signals.some((s) => s.code === ReasonCode.RegistryConfirmed)
  ) {
    // A registry SUSPECTED may be our own flag echoed back: it never counts as a second kind.
    const kinds = new Set(
      meaningful
        .filter((s) => !WEAK.has(s.code) && s.code !== ReasonCode.RegistrySuspected && EVIDENCE_KINDS.has(s.kind))
        .map((s) => s.kind),
    );
    if (kinds.size < policy.gates.suspendMinKinds) action = Action.Restrict;
  }
  return action;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
