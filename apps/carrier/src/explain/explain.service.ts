import { Inject, Injectable } from '@nestjs/common';
import {
  CLOCK,
  msisdnKey,
  normaliseMsisdn,
  validatePurpose,
  type Action,
  type Clock,
  type Msisdn,
  type RegistryMark,
  type UsageProfile,
} from '@app/domain';
import { AnalysisService } from '../analysis/analysis.service';
import { DecisionsRepository, type StoredDecision } from '../decisions/decisions.repository';
import { ExplainRepository } from './explain.repository';
import {
  currentTerm,
  nextSteps,
  reactivationChancesLeft,
  reasonsBehind,
  type CurrentTerm,
  type NextSteps,
} from './next-steps';

export interface Explanation {
  msisdn: Msisdn;
  state: Action;
  registryStatus: RegistryMark | undefined;
  /** Undefined for a number without a subscriber record here. */
  profile: UsageProfile | undefined;
  profileAttested: boolean;
  /** Active decisions (the ones enforced), newest first. */
  decisions: StoredDecision[];
  nextSteps: NextSteps;
  reactivationChancesLeft: number;
  /** The term of the current RESTRICT or SUSPEND, when it has one. */
  term: CurrentTerm | undefined;
  /** Since when the number waits for a person's review of a suspension held back; undefined: none is open. */
  reviewPendingSince: number | undefined;
}

/** The newest decisions shown; older ones are on ListDecisions. */
export const MAX_EXPLAINED_DECISIONS = 50;

/** Customer service's view of a number: where it stands, why, and what the subscriber can do. */
@Injectable()
export class ExplainService {
  constructor(
    private readonly analysis: AnalysisService,
    private readonly decisions: DecisionsRepository,
    private readonly attestations: ExplainRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async explain(query: { msisdn?: string; purpose?: string }): Promise<Explanation> {
    const msisdn = normaliseMsisdn(query.msisdn, 'msisdn');
    validatePurpose(query.purpose, 'the number is looked at (e.g. "customer call 2024-0117")');

    // The state as of now: a warning lapses after a quiet week even when no event says so.
    const now = this.clock.now().getTime();
    const engine = this.analysis.state;
    const state = engine.levelOf(msisdn, now);
    const registryStatus = engine.registryStatusOf(msisdn);
    const subscriber = engine.subscriberOf(msisdn);
    const chancesLeft = reactivationChancesLeft(engine.primary, msisdnKey(msisdn), now);
    const term = registryStatus === 'CONFIRMED' ? undefined : currentTerm(engine.primary, msisdnKey(msisdn), now);
    const reviewPendingSince = engine.primary.standingOf(msisdnKey(msisdn))?.reviewSince;
    const [decisions, profileAttested] = await Promise.all([
      this.decisions.ofNumber(msisdn, false, MAX_EXPLAINED_DECISIONS),
      subscriber ? this.attestations.isAttested(msisdn, subscriber.profile) : false,
    ]);
    return {
      msisdn,
      state,
      registryStatus,
      profile: subscriber?.profile,
      profileAttested,
      decisions,
      nextSteps: nextSteps({
        state,
        reasons: reasonsBehind(state, decisions),
        registry: registryStatus,
        reactivationChancesLeft: chancesLeft,
        term,
        essentials: engine.primary.rules.essentials,
        reviewPendingSince,
      }),
      reactivationChancesLeft: chancesLeft,
      term,
      reviewPendingSince,
    };
  }
}
