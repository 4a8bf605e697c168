import { Inject, Injectable } from '@nestjs/common';
import {
  Action,
  CLOCK,
  KNOWN_CONTACT_DAYS,
  ladderLevel,
  msisdnKey,
  normaliseMsisdn,
  validatePurpose,
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
  /** Undefined when the active policy has no calleeProtection. */
  calleeProtection: ExplainedCalleeProtection | undefined;
}

export interface ExplainedCalleeProtection {
  /** Its calls to strangers are labelled now (from fromStep up to RESTRICT). */
  callsToStrangersLabelled: boolean;
  /** Distinct callees warned after answering its calls, over KNOWN_CONTACT_DAYS. */
  calleesWarned: number;
}

const DAY_MS = 86_400_000;

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
    const protection = engine.primary.rules.calleeProtection;
    const level = ladderLevel(state);
    const callsToStrangersLabelled =
      protection !== undefined &&
      registryStatus !== 'CONFIRMED' &&
      level >= protection.fromLevel &&
      level < ladderLevel(Action.Restrict);
    const [decisions, profileAttested, calleesWarned] = await Promise.all([
      this.decisions.ofNumber(msisdn, false, MAX_EXPLAINED_DECISIONS),
      subscriber ? this.attestations.isAttested(msisdn, subscriber.profile) : false,
      protection ? this.attestations.calleesWarned(msisdn, new Date(now - KNOWN_CONTACT_DAYS * DAY_MS)) : 0,
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
        callsToStrangersLabelled,
        calleesWarned,
      }),
      reactivationChancesLeft: chancesLeft,
      term,
      reviewPendingSince,
      calleeProtection: protection && { callsToStrangersLabelled, calleesWarned },
    };
  }
}
