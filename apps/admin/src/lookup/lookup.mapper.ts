import { action, numberStatus, toTimestamp, type admin } from '@app/contracts';
import { toWireCase } from '../cases/case.mapper';
import { toWireDirectiveRecord } from '../directives/directives.mapper';
import { evidenceToWire } from '../feed/evidence';
import type { StoredDecision } from './lookup.repository';
import type { NumberLookup } from './lookup.service';

function toWireDecision(d: StoredDecision): admin.CarrierDecisionRecord {
  return {
    carrier: d.carrier,
    decision: {
      decisionId: d.decisionId,
      msisdn: d.msisdn,
      action: action.toWire(d.action),
      previous: action.toWire(d.previous),
      reasons: d.reasons,
      score: d.score,
      policy: d.policy,
      at: toTimestamp(d.at),
      evidence: evidenceToWire(d.evidence),
    },
  };
}

export function toWireLookup(found: NumberLookup): admin.LookupNumberResponse {
  return {
    msisdn: found.msisdn,
    owner: found.owner && { msisdn: found.msisdn, carrier: found.owner.carrier, ported: found.owner.ported },
    decisions: found.decisions.map(toWireDecision),
    directives: found.directives.map(toWireDirectiveRecord),
    case: found.case && toWireCase(found.case),
    registryStatus: numberStatus.toWire(found.registryStatus),
  };
}
