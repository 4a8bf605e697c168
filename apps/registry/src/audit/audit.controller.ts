import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { auditChainFault, fromTimestamp, toTimestamp, type registry } from '@app/contracts';
import { AuditAnchors, AuditLog, type StoredAnchor } from '@app/audit';
import { decodePageToken, encodePageToken, pageSize, ValidationError, ValidationErrorCode } from '@app/domain';
import { RoleKind, Roles } from '@app/grpc';

@Controller()
export class AuditController implements Pick<
  registry.RegistryServiceController,
  'listAuditEvents' | 'verifyAuditChain'
> {
  constructor(
    private readonly audit: AuditLog,
    private readonly anchors: AuditAnchors,
  ) {}

  @GrpcMethod('RegistryService', 'ListAuditEvents')
  @Roles(RoleKind.Auditor)
  async listAuditEvents(request: registry.ListAuditEventsRequest): Promise<registry.ListAuditEventsResponse> {
    const limit = pageSize(request.page?.pageSize, { default: 100, max: 1000 });
    const after = decodePageToken<{ id: string }>(request.page?.pageToken, { id: 'string' });
    if (after && !/^\d{1,19}$/.test(after.id))
      throw new ValidationError(
        ValidationErrorCode.Malformed,
        'page.page_token',
        'is not a page token returned by this service',
      );
    const rows = await this.audit.list(
      {
        actor: request.actor || undefined,
        action: request.action || undefined,
        target: request.target || undefined,
        outcome: request.outcome || undefined,
        since: fromTimestamp(request.since, 'since'),
        until: fromTimestamp(request.until, 'until'),
        afterId: after?.id,
      },
      limit + 1,
    );
    const page = rows.slice(0, limit);
    return {
      events: page.map((e) => ({
        id: Number(e.id),
        at: toTimestamp(e.at),
        actor: e.actor,
        role: e.role,
        action: e.action,
        target: e.target ?? '',
        hashedTarget: e.hashedTarget ?? '',
        purpose: e.purpose ?? '',
        caseId: e.caseId ?? '',
        outcome: e.outcome,
        detail: JSON.stringify(e.detail),
        prevHash: e.prevHash,
        hash: e.hash,
      })),
      nextPageToken: rows.length > limit ? encodePageToken({ id: page[page.length - 1].id }) : '',
    };
  }

  @GrpcMethod('RegistryService', 'VerifyAuditChain')
  @Roles(RoleKind.Auditor)
  async verifyAuditChain(): Promise<registry.VerifyAuditChainResponse> {
    const result = await this.anchors.verify();
    return {
      intact: result.intact,
      eventsChecked: result.eventsChecked,
      firstBrokenId: Number(result.firstBrokenId ?? 0),
      fault: auditChainFault.toWire(result.fault === 'none' ? undefined : result.fault),
      detail: result.detail,
      missingAfterId: Number(result.missingAfterId ?? 0),
      anchorChecked: result.anchorChecked && toWireAnchor(result.anchorChecked),
      anchorPublished: result.anchorPublished && toWireAnchor(result.anchorPublished),
      anchorPublicKey: this.anchors.publicKeyPem,
    };
  }
}

function toWireAnchor(anchor: StoredAnchor): registry.AuditAnchor {
  return {
    id: Number(anchor.id),
    headId: Number(anchor.headId),
    headHash: anchor.headHash,
    at: toTimestamp(anchor.at),
    keyId: anchor.keyId,
    signature: anchor.signature,
  };
}
