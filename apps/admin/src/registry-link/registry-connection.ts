import { Metadata } from '@grpc/grpc-js';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { ENV, type Env } from '@app/config';
import { numberStatus, type registryV2 } from '@app/contracts';
import type { RegistryMark } from '@app/domain';
import { RegistryPeerConnection, unary } from '@app/grpc';
import { ServiceHealth } from '@app/observability';
import { ADMIN_CONFIG, type AdminConfig } from '../config/admin.config';

/** The longest pause between reconnects to the registry. */
export const REGISTRY_RETRY_MAX_MS = 5_000;

/** A number's status in the registry. */
export type RegistryStatus = RegistryMark | 'NOT_LISTED';

/** The administration's channel to the registry (`REGISTRY_ADDRESS`), as `admin:<province>`. */
@Injectable()
export class RegistryConnection extends RegistryPeerConnection {
  constructor(@Inject(ADMIN_CONFIG) config: AdminConfig, @Inject(ENV) env: Env, @Optional() health?: ServiceHealth) {
    super({
      address: config.registryAddress,
      identity: { subject: `admin-${config.province}`, role: `admin:${config.province}` },
      tokenFile: config.registryTokenFile,
      retryMaxMs: REGISTRY_RETRY_MAX_MS,
      env,
      // Degraded without it (no police verdicts reach the cases), never stopped.
      health,
    });
  }

  /** One number's status now (CheckNumbers v2); rejects when the registry does not answer within `timeoutMs`. */
  async statusOf(msisdn: string, timeoutMs: number): Promise<RegistryStatus> {
    const answer = await unary<registryV2.CheckNumbersResponse>(
      this.serviceOnChannel('fraud.registry.v2.RegistryService', 'fraud/registry/v2/registry.proto'),
      'checkNumbers',
      { msisdns: [msisdn], e164: [] } satisfies registryV2.CheckNumbersRequest,
      new Metadata(),
      { deadline: Date.now() + timeoutMs },
    );
    const status = numberStatus.tryFromWire(answer.statuses[0]);
    if (!status) throw new Error(`the registry answered no status for ${msisdn}`);
    return status;
  }
}
