import { Injectable, Logger } from '@nestjs/common';
import { normaliseMsisdn, ValidationError, ValidationErrorCode, type Msisdn } from '@app/domain';
import type { CaseFile } from '../cases/case';
import { CasesService } from '../cases/cases.service';
import type { DirectiveRecord } from '../directives/directive';
import { DirectivesService } from '../directives/directives.service';
import { OwnershipService, type Owner } from '../ownership/ownership.service';
import { RegistryConnection, type RegistryStatus } from '../registry-link/registry-connection';
import { LookupRepository, type StoredDecision } from './lookup.repository';

/** A number's story on one screen: its latest decisions and directives. */
export const MAX_DECISIONS = 500;
export const MAX_DIRECTIVES = 100;
const MAX_PURPOSE = 500;
/** How long a look-up waits for the registry's status before answering without it. */
export const REGISTRY_STATUS_TIMEOUT_MS = 2_000;

export interface LookupInput {
  msisdn: string;
  purpose: string | undefined;
}

export interface NumberLookup {
  msisdn: Msisdn;
  /** Undefined when no carrier owns the number (foreign, unallocated). */
  owner: Owner | undefined;
  /** Newest first. */
  decisions: StoredDecision[];
  /** Newest first. */
  directives: DirectiveRecord[];
  case: CaseFile | undefined;
  /** The registry's status now; undefined when the registry could not be asked. */
  registryStatus: RegistryStatus | undefined;
}

/**
 * A number across carriers: who owns it, what each carrier decided, the
 * directives about it, its case, and the registry's status.
 */
@Injectable()
export class LookupService {
  private readonly logger = new Logger(LookupService.name);

  constructor(
    private readonly repository: LookupRepository,
    private readonly ownership: OwnershipService,
    private readonly directives: DirectivesService,
    private readonly cases: CasesService,
    private readonly registry: RegistryConnection,
  ) {}

  /** The caller must say why (the audit log keeps it with the number). */
  async lookup(input: LookupInput): Promise<NumberLookup> {
    const purpose = input.purpose?.trim() ?? '';
    if (purpose === '')
      throw new ValidationError(
        ValidationErrorCode.Required,
        'purpose',
        'say why the number is looked up (it is audited)',
      );
    if (purpose.length > MAX_PURPOSE)
      throw new ValidationError(ValidationErrorCode.OutOfRange, 'purpose', `at most ${MAX_PURPOSE} characters`);
    const msisdn = normaliseMsisdn(input.msisdn, 'msisdn');
    const registryStatus = this.registryStatusOf(msisdn);
    const owner = await this.ownership.ownerOf(msisdn);
    const decisions = await this.repository.decisionsOf(msisdn, MAX_DECISIONS);
    const { directives } = await this.directives.list({ msisdn }, { pageSize: MAX_DIRECTIVES });
    const found = await this.cases.caseOf(msisdn);
    return { msisdn, owner, decisions, directives, case: found, registryStatus: await registryStatus };
  }

  /**
   * Asked while the database answers the rest; a registry that is down costs
   * the look-up this one field, never the answer.
   */
  private async registryStatusOf(msisdn: Msisdn): Promise<RegistryStatus | undefined> {
    if (!this.registry.enabled) return undefined;
    try {
      return await this.registry.statusOf(msisdn, REGISTRY_STATUS_TIMEOUT_MS);
    } catch (error) {
      this.logger.warn(`look-up of ${msisdn} without the registry's status: ${(error as Error).message}`);
      return undefined;
    }
  }
}
