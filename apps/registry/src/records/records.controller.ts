import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { numberStatus, toTimestamp, verificationOutcome, type registry } from '@app/contracts';
import { Audited } from '@app/audit';
import { RoleKind, Roles } from '@app/grpc';
import { toWireChange, toWireEvidence } from '../contract.mapper';
import { RecordsService, type HistoryItem } from './records.service';

@Controller()
export class RecordsController implements Pick<registry.RegistryServiceController, 'getNumberRecord'> {
  constructor(private readonly records: RecordsService) {}

  @GrpcMethod('RegistryService', 'GetNumberRecord')
  @Roles(RoleKind.Carrier, RoleKind.Admin, RoleKind.Analyst, RoleKind.Police)
  @Audited<registry.GetNumberRecordRequest>((request) => ({
    target: request.msisdn,
    purpose: request.purpose,
    caseId: request.caseId,
  }))
  async getNumberRecord(request: registry.GetNumberRecordRequest): Promise<registry.GetNumberRecordResponse> {
    const record = await this.records.record({
      msisdn: request.msisdn,
      purpose: request.purpose,
      caseId: request.caseId,
      pageSize: request.page?.pageSize,
      pageToken: request.page?.pageToken,
    });
    return {
      msisdn: record.msisdn,
      status: numberStatus.toWire(record.status),
      version: record.version,
      history: record.history.map(toWireHistory),
      nextPageToken: record.nextPageToken,
    };
  }
}

function toWireHistory(item: HistoryItem): registry.HistoryEntry {
  switch (item.kind) {
    case 'flag': {
      const f = item.flag;
      return {
        flag: {
          idempotencyKey: f.idempotencyKey,
          source: f.source,
          reasonCodes: f.reasonCodes,
          score: f.score,
          evidence: toWireEvidence(f.evidence),
          observedAt: toTimestamp(f.observedAt),
          receivedAt: toTimestamp(f.receivedAt),
          protectedByClearance: f.protectedByClearance,
        },
      };
    }
    case 'verification': {
      const v = item.verification;
      return {
        verification: {
          outcome: verificationOutcome.toWire(v.outcome),
          caseId: v.caseId,
          note: v.note,
          verifiedBy: v.verifiedBy,
          verifiedAt: toTimestamp(v.verifiedAt),
        },
      };
    }
    case 'status_change':
      return { statusChange: toWireChange(item.change) };
  }
}
