import { Injectable } from '@nestjs/common';
import { callVerdict, type carrier } from '@app/contracts';
import { Action, isServiceNumber, normaliseMsisdn, ReasonCode, type RegistryMark } from '@app/domain';
import { AnalysisService } from '../analysis/analysis.service';

/** Our own ladder's say on the caller: only RESTRICT (outbound limited) and SUSPEND stop a call. */
type LadderStep = 'NONE' | 'RESTRICTED' | 'SUSPENDED';
type RegistryKey = RegistryMark | 'NOT_LISTED';

const REGISTRY_REASONS: Record<RegistryKey, string | undefined> = {
  NOT_LISTED: undefined,
  SUSPECTED: ReasonCode.RegistrySuspected,
  CONFIRMED: ReasonCode.RegistryConfirmed,
  CLEARED: ReasonCode.RegistryCleared,
};

/** Why a call went through although the caller is restricted or suspended. */
export const ESSENTIAL_NUMBER = 'ESSENTIAL_NUMBER';
export const KNOWN_CONTACT = 'KNOWN_CONTACT';

function response(verdict: 'ALLOW' | 'LABEL' | 'BLOCK', reasons: (string | undefined)[]): carrier.CheckCallResponse {
  const named = reasons.filter((r): r is string => r !== undefined);
  return Object.freeze({ verdict: callVerdict.toWire(verdict), reasons: Object.freeze(named) as string[] });
}

/**
 * BLOCK when our ladder restricts or suspends the caller or the police confirmed
 * fraud; LABEL when the registry suspects it; ALLOW otherwise (a CLEARED number
 * too, unless our own ladder restricts it). Reasons name every mark that applies.
 */
function verdictOf(step: LadderStep, mark: RegistryKey): carrier.CheckCallResponse {
  const verdict = step !== 'NONE' || mark === 'CONFIRMED' ? 'BLOCK' : mark === 'SUSPECTED' ? 'LABEL' : 'ALLOW';
  return response(verdict, [step === 'NONE' ? undefined : step, REGISTRY_REASONS[mark]]);
}

/** A call to an emergency or service number: ALLOW whatever the step and mark, which are still named. */
function essentialOf(step: LadderStep, mark: RegistryKey): carrier.CheckCallResponse {
  return response('ALLOW', [step === 'NONE' ? undefined : step, REGISTRY_REASONS[mark], ESSENTIAL_NUMBER]);
}

/**
 * A restricted caller's call to a known contact: RESTRICT limits calls to
 * strangers only, so the call is answered as if unrestricted (a suspected
 * number's call is still labelled). Never used for SUSPEND or CONFIRMED.
 */
function knownContactOf(mark: RegistryKey): carrier.CheckCallResponse {
  return response(mark === 'SUSPECTED' ? 'LABEL' : 'ALLOW', ['RESTRICTED', REGISTRY_REASONS[mark], KNOWN_CONTACT]);
}

type Answers = Readonly<Record<LadderStep, Readonly<Record<RegistryKey, carrier.CheckCallResponse>>>>;

function answers(of: (step: LadderStep, mark: RegistryKey) => carrier.CheckCallResponse): Answers {
  const at = (step: LadderStep) => ({
    NOT_LISTED: of(step, 'NOT_LISTED'),
    SUSPECTED: of(step, 'SUSPECTED'),
    CONFIRMED: of(step, 'CONFIRMED'),
    CLEARED: of(step, 'CLEARED'),
  });
  return { NONE: at('NONE'), RESTRICTED: at('RESTRICTED'), SUSPENDED: at('SUSPENDED') };
}

/** Every answer, built once: a call-setup check allocates nothing but its own validation. */
const VERDICTS = answers(verdictOf);
const ESSENTIAL = answers(essentialOf);
const KNOWN = answers((_step, mark) => knownContactOf(mark)).RESTRICTED;

/**
 * Call setup, from memory only: the engine's ladder and its copy of the registry
 * (no database, no audit: hot path). It judges the caller only: the callee's own
 * step never refuses a call it receives. Calls to the policy's essentials
 * (emergency and service numbers, dialled as 3 to 6 digits) are always allowed;
 * a restricted caller reaches the numbers it was in contact with within 30 days.
 */
@Injectable()
export class CallCheckService {
  constructor(private readonly analysis: AnalysisService) {}

  check(caller: string, callee: string): carrier.CheckCallResponse {
    const from = normaliseMsisdn(caller, 'caller');
    const service = isServiceNumber(callee);
    const to = service ? undefined : normaliseMsisdn(callee, 'callee');
    const engine = this.analysis.state;
    // The caller's step and contacts as of now, on the wall clock (call setup has no event time).
    const now = Date.now();
    const level = engine.levelOf(from, now);
    const step: LadderStep = level === Action.Suspend ? 'SUSPENDED' : level === Action.Restrict ? 'RESTRICTED' : 'NONE';
    const mark = engine.registryStatusOf(from) ?? 'NOT_LISTED';
    if (service && engine.primary.rules.essentials.has(callee)) return ESSENTIAL[step][mark];
    if (step === 'RESTRICTED' && mark !== 'CONFIRMED' && to !== undefined && engine.knows(from, to, now))
      return KNOWN[mark];
    return VERDICTS[step][mark];
  }
}
