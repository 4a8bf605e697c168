import { Injectable } from '@nestjs/common';
import { callVerdict, type carrier } from '@app/contracts';
import { Action, normaliseMsisdn, ReasonCode, type RegistryMark } from '@app/domain';
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

/**
 * BLOCK when our ladder restricts or suspends the caller or the police confirmed
 * fraud; LABEL when the registry suspects it; ALLOW otherwise (a CLEARED number
 * too, unless our own ladder restricts it). Reasons name every mark that applies.
 */
function verdictOf(step: LadderStep, mark: RegistryKey): carrier.CheckCallResponse {
  const reasons = [step === 'NONE' ? undefined : step, REGISTRY_REASONS[mark]].filter(
    (r): r is string => r !== undefined,
  );
  const verdict = step !== 'NONE' || mark === 'CONFIRMED' ? 'BLOCK' : mark === 'SUSPECTED' ? 'LABEL' : 'ALLOW';
  return Object.freeze({ verdict: callVerdict.toWire(verdict), reasons: Object.freeze(reasons) as string[] });
}

/** Every answer, built once: a call-setup check allocates nothing but its own validation. */
const VERDICTS: Readonly<Record<LadderStep, Readonly<Record<RegistryKey, carrier.CheckCallResponse>>>> = {
  NONE: verdictsAt('NONE'),
  RESTRICTED: verdictsAt('RESTRICTED'),
  SUSPENDED: verdictsAt('SUSPENDED'),
};

function verdictsAt(step: LadderStep): Record<RegistryKey, carrier.CheckCallResponse> {
  return {
    NOT_LISTED: verdictOf(step, 'NOT_LISTED'),
    SUSPECTED: verdictOf(step, 'SUSPECTED'),
    CONFIRMED: verdictOf(step, 'CONFIRMED'),
    CLEARED: verdictOf(step, 'CLEARED'),
  };
}

/** Call setup, from memory only: the engine's ladder and its copy of the registry (no database, no audit: hot path). */
@Injectable()
export class CallCheckService {
  constructor(private readonly analysis: AnalysisService) {}

  check(caller: string, callee: string): carrier.CheckCallResponse {
    const from = normaliseMsisdn(caller, 'caller');
    normaliseMsisdn(callee, 'callee');
    const engine = this.analysis.state;
    // RESTRICT and SUSPEND never lapse with time (only MONITOR and WARN do, and they never block):
    // the wall clock will do.
    const level = engine.levelOf(from, Date.now());
    const step: LadderStep = level === Action.Suspend ? 'SUSPENDED' : level === Action.Restrict ? 'RESTRICTED' : 'NONE';
    return VERDICTS[step][engine.registryStatusOf(from) ?? 'NOT_LISTED'];
  }
}
