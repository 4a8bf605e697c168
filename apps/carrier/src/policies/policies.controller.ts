import type { Metadata } from '@grpc/grpc-js';
import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { policyMode, toTimestamp, type carrier } from '@app/contracts';
import { Audited } from '@app/audit';
import { principalOf, RoleKind, Roles } from '@app/grpc';
import type { StoredPolicy } from './policies.repository';
import { PoliciesService } from './policies.service';
import { MAX_REASON_LENGTH, policyLabelOf } from './policy-input';

@Controller()
export class PoliciesController implements Pick<
  carrier.CarrierServiceController,
  'listPolicies' | 'putPolicy' | 'setPolicy'
> {
  constructor(private readonly policies: PoliciesService) {}

  @GrpcMethod('CarrierService', 'ListPolicies')
  @Roles(RoleKind.Carrier, RoleKind.Admin, RoleKind.Analyst)
  async listPolicies(): Promise<carrier.ListPoliciesResponse> {
    const { versions, running } = await this.policies.list();
    return { versions: versions.map(toWireVersion), active: running.active, shadow: running.shadow };
  }

  @GrpcMethod('CarrierService', 'PutPolicy')
  @Roles(RoleKind.Carrier)
  @Audited<carrier.PutPolicyRequest>((request) => ({ detail: { policy: policyLabelOf(request.document) ?? null } }))
  async putPolicy(request: carrier.PutPolicyRequest, metadata: Metadata): Promise<carrier.PutPolicyResponse> {
    const stored = await this.policies.put(request.document, principalOf(metadata).subject);
    return { version: toWireVersion(stored) };
  }

  @GrpcMethod('CarrierService', 'SetPolicy')
  @Roles(RoleKind.Carrier)
  @Audited<carrier.SetPolicyRequest>((request) => ({
    purpose: request.reason?.slice(0, MAX_REASON_LENGTH),
    detail: { policy: request.policy?.slice(0, 64) ?? null, mode: request.mode ?? null },
  }))
  async setPolicy(request: carrier.SetPolicyRequest, metadata: Metadata): Promise<carrier.SetPolicyResponse> {
    return this.policies.set(
      { mode: policyMode.fromWire(request.mode, 'mode'), policy: request.policy, reason: request.reason },
      principalOf(metadata).subject,
    );
  }
}

function toWireVersion(stored: StoredPolicy): carrier.PolicyVersion {
  const { document } = stored;
  return {
    name: document.name,
    version: document.version,
    document: JSON.stringify(document),
    createdBy: stored.createdBy,
    createdAt: toTimestamp(stored.createdAt),
  };
}
