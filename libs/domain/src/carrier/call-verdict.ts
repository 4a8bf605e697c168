import type { Msisdn } from '../msisdn';
import type { EngineView } from './engine';
import type { RegistryMark } from './features';
import { Action, ladderLevel } from './policy';
import type { Rules } from './rules';
import { ReasonCode } from './signals';

/**
 * Call setup's rule, one for CheckCall and for offline tools (replays, the
 * quality benchmark): what a call from `caller` to `callee` gets, read from the
 * engine alone. It judges the caller only: the callee's own step never refuses
 * a call it receives.
 */

/** ALLOW: connect; LABEL: connect, and show the callee "suspected fraud"; BLOCK: refuse. */
export type CallVerdict = 'ALLOW' | 'LABEL' | 'BLOCK';
/** Our ladder's say on the caller: only RESTRICT (outbound to strangers limited) and SUSPEND stop a call. */
export type CallerStep = 'NONE' | 'RESTRICTED' | 'SUSPENDED';
export type CallerMark = RegistryMark | 'NOT_LISTED';
/** Which rule answered: the caller's marks alone, an essential number, a restricted caller's contact, a stranger. */
export type CallRule = 'MARKS' | 'ESSENTIAL' | 'KNOWN_CONTACT' | 'CARRIER_WARNED';

/** Why a call went through although the caller is restricted or suspended. */
export const ESSENTIAL_NUMBER = 'ESSENTIAL_NUMBER';
export const KNOWN_CONTACT = 'KNOWN_CONTACT';
/** A call labelled because the caller stands at calleeProtection.fromStep or above and the callee is a stranger. */
export const CARRIER_WARNED = 'CARRIER_WARNED';

export interface CallAnswer {
  readonly rule: CallRule;
  readonly verdict: CallVerdict;
  /** Every mark that applies (step, registry status), then the rule's own reason. */
  readonly reasons: readonly string[];
}

const REGISTRY_REASONS: Record<CallerMark, string | undefined> = {
  NOT_LISTED: undefined,
  SUSPECTED: ReasonCode.RegistrySuspected,
  CONFIRMED: ReasonCode.RegistryConfirmed,
  CLEARED: ReasonCode.RegistryCleared,
};

function answer(rule: CallRule, verdict: CallVerdict, reasons: (string | undefined)[]): CallAnswer {
  const named = reasons.filter((r): r is string => r !== undefined);
  return Object.freeze({ rule, verdict, reasons: Object.freeze(named) });
}

const PLUS = 43;

const stepReason = (step: CallerStep) => (step === 'NONE' ? undefined : step);

/**
 * BLOCK when our ladder restricts or suspends the caller or the police confirmed
 * fraud; LABEL when the registry suspects it; ALLOW otherwise (a CLEARED number
 * too, unless our own ladder restricts it). Reasons name every mark that applies.
 */
function marksOf(step: CallerStep, mark: CallerMark): CallAnswer {
  const verdict = step !== 'NONE' || mark === 'CONFIRMED' ? 'BLOCK' : mark === 'SUSPECTED' ? 'LABEL' : 'ALLOW';
  return answer('MARKS', verdict, [stepReason(step), REGISTRY_REASONS[mark]]);
}

/** A call to an emergency or service number: ALLOW whatever the step and mark, which are still named. */
function essentialOf(step: CallerStep, mark: CallerMark): CallAnswer {
  return answer('ESSENTIAL', 'ALLOW', [stepReason(step), REGISTRY_REASONS[mark], ESSENTIAL_NUMBER]);
}

/**
 * A restricted caller's call to a known contact: RESTRICT limits calls to
 * strangers only, so the call is answered as if unrestricted (a suspected
 * number's call is still labelled). Never used for SUSPEND or CONFIRMED.
 */
function knownContactOf(_step: CallerStep, mark: CallerMark): CallAnswer {
  const verdict = mark === 'SUSPECTED' ? 'LABEL' : 'ALLOW';
  return answer('KNOWN_CONTACT', verdict, ['RESTRICTED', REGISTRY_REASONS[mark], KNOWN_CONTACT]);
}

/**
 * A call to a stranger from a caller at calleeProtection.fromStep or above:
 * at least LABEL, with CARRIER_WARNED beside the caller's marks (a mark that
 * blocks still blocks, and then the label is not what happens).
 */
function carrierWarnedOf(step: CallerStep, mark: CallerMark): CallAnswer {
  const marks = marksOf(step, mark);
  if (marks.verdict === 'BLOCK') return answer('CARRIER_WARNED', 'BLOCK', [...marks.reasons]);
  return answer('CARRIER_WARNED', 'LABEL', [...marks.reasons, CARRIER_WARNED]);
}

type ByStep = Readonly<Record<CallerStep, Readonly<Record<CallerMark, CallAnswer>>>>;

function byStep(of: (step: CallerStep, mark: CallerMark) => CallAnswer): ByStep {
  const at = (step: CallerStep) =>
    Object.freeze({
      NOT_LISTED: of(step, 'NOT_LISTED'),
      SUSPECTED: of(step, 'SUSPECTED'),
      CONFIRMED: of(step, 'CONFIRMED'),
      CLEARED: of(step, 'CLEARED'),
    });
  return Object.freeze({ NONE: at('NONE'), RESTRICTED: at('RESTRICTED'), SUSPENDED: at('SUSPENDED') });
}

/**
 * Every answer there is, built once and frozen: judging a call allocates
 * nothing, and a caller may map each answer to a wire response of its own.
 */
export const CALL_ANSWERS: Readonly<Record<CallRule, ByStep>> = Object.freeze({
  MARKS: byStep(marksOf),
  ESSENTIAL: byStep(essentialOf),
  KNOWN_CONTACT: byStep(knownContactOf),
  CARRIER_WARNED: byStep(carrierWarnedOf),
});

/** Every answer of CALL_ANSWERS, once each. */
export function allCallAnswers(): CallAnswer[] {
  return Object.values(CALL_ANSWERS).flatMap((steps) => Object.values(steps).flatMap((marks) => Object.values(marks)));
}

/**
 * Judges a call at `atMs` under the active policy: `callee` is an E.164 number
 * or a service number as dialled (3 to 6 digits, isServiceNumber). Calls to the policy's
 * essentials are always allowed; a restricted caller reaches the numbers it was
 * in contact with within KNOWN_CONTACT_DAYS; under calleeProtection, a caller
 * at fromStep or above (below RESTRICT, whose rules stand) is labelled when it
 * calls a person it was not in contact with. A service number outside the
 * essentials is judged by the caller's marks alone (nobody there to protect).
 */
export function judgeCall(view: EngineView, caller: Msisdn, callee: string, atMs: number): CallAnswer {
  const level = view.levelOf(caller, atMs);
  const step: CallerStep = level === Action.Suspend ? 'SUSPENDED' : level === Action.Restrict ? 'RESTRICTED' : 'NONE';
  const mark = view.registryStatusOf(caller) ?? 'NOT_LISTED';
  const rules = view.primary.rules;
  // An E.164 number starts with '+'; anything else here is a service number (the caller checked which).
  if (callee.charCodeAt(0) !== PLUS)
    return rules.essentials.has(callee) ? CALL_ANSWERS.ESSENTIAL[step][mark] : CALL_ANSWERS.MARKS[step][mark];
  if (mark === 'CONFIRMED') return CALL_ANSWERS.MARKS[step][mark];
  if (step === 'RESTRICTED')
    return view.knows(caller, callee as Msisdn, atMs)
      ? CALL_ANSWERS.KNOWN_CONTACT[step][mark]
      : CALL_ANSWERS.MARKS[step][mark];
  if (step === 'NONE' && readsContacts(level, rules) && !view.knows(caller, callee as Msisdn, atMs))
    return CALL_ANSWERS.CARRIER_WARNED[step][mark];
  return CALL_ANSWERS.MARKS[step][mark];
}

/**
 * Whether judgeCall reads a caller's contacts (EngineView.knows) at `level`: a restricted caller's known contacts go
 * through, and under calleeProtection a caller at its step or above, short of SUSPEND, is labelled calling a
 * stranger. A shard writes the contacts of such numbers for the others' call setup.
 */
export function readsContacts(level: Action, rules: Rules): boolean {
  if (level === Action.Restrict) return true;
  const protection = rules.calleeProtection;
  return protection !== undefined && level !== Action.Suspend && ladderLevel(level) >= protection.fromLevel;
}
