import { Injectable, Optional } from '@nestjs/common';
import { callVerdict, type carrier } from '@app/contracts';
import { allCallAnswers, isServiceNumber, judgeCall, normaliseMsisdn, type CallAnswer } from '@app/domain';
import type { Metadata } from '@grpc/grpc-js';
import { AnalysisService } from '../analysis/analysis.service';
import { ShardForwarder } from '../shard/shard-forwarder';

export { CARRIER_WARNED, ESSENTIAL_NUMBER, KNOWN_CONTACT } from '@app/domain';

/**
 * Each of the domain's answers (CALL_ANSWERS) as its wire response, built once
 * and frozen: a call-setup check allocates nothing but its own validation, and
 * the plain handler encodes each response once (CheckCallRpc.sharedAnswers).
 */
const RESPONSES: ReadonlyMap<CallAnswer, carrier.CheckCallResponse> = new Map(
  allCallAnswers().map((a) => [
    a,
    Object.freeze({ verdict: callVerdict.toWire(a.verdict), reasons: a.reasons as string[] }),
  ]),
);

/**
 * Call setup, from memory only: the engine's ladder and its copy of the registry
 * (no database, no audit: hot path), judged by the domain's rule (judgeCall):
 * essentials always allowed, a restricted caller reaches its known contacts,
 * and under calleeProtection a warned caller's calls to strangers are labelled.
 */
@Injectable()
export class CallCheckService {
  constructor(
    private readonly analysis: AnalysisService,
    @Optional() private readonly forwarder?: ShardForwarder,
  ) {}

  /**
   * The verdict on a call from `caller` to `callee`. In shard mode, a caller another shard keeps is judged from the
   * copy of every number's step (StepReplica), from memory; only a verdict that needs the caller's contacts (a
   * restricted caller, a warned one under calleeProtection) is asked of its shard, the call passed on with
   * `metadata`: the answer is then a promise.
   */
  answer(
    caller: string,
    callee: string,
    metadata: Metadata,
  ): carrier.CheckCallResponse | Promise<carrier.CheckCallResponse> {
    const shard = this.analysis.shard;
    if (!shard || !this.forwarder) return this.check(caller, callee);
    const from = normaliseMsisdn(caller, 'caller');
    if (shard.owns(from)) return this.check(caller, callee);
    const to = isServiceNumber(callee) ? callee : normaliseMsisdn(callee, 'callee');
    const view = shard.replicaView;
    view.contactsAsked = false;
    const answer = judgeCall(view, from, to, Date.now());
    if (!view.contactsAsked) return RESPONSES.get(answer) as carrier.CheckCallResponse;
    const request: carrier.CheckCallRequest = { caller, callee };
    return this.forwarder.unary<carrier.CheckCallResponse>(shard.ownerOf(from), 'CheckCall', request, metadata);
  }

  /** The verdict on a call from `caller` to `callee`, judged here. */
  check(caller: string, callee: string): carrier.CheckCallResponse {
    const from = normaliseMsisdn(caller, 'caller');
    const to = isServiceNumber(callee) ? callee : normaliseMsisdn(callee, 'callee');
    // The caller's step and contacts as of now, on the wall clock (call setup has no event time).
    return RESPONSES.get(judgeCall(this.analysis.state, from, to, Date.now())) as carrier.CheckCallResponse;
  }
}
