import { RegistryStatus } from '@app/domain';

const STATUS_CODES: readonly RegistryStatus[] = [RegistryStatus.NotListed, RegistryStatus.Suspected, RegistryStatus.Confirmed, RegistryStatus.Cleared];
const CODE_OF = new Map(STATUS_CODES.map((s, i) => [s, i]));

/**
 * The status of every listed number, in memory, for call-setup checks. One
 * number per entry packs status and version (version * 4 + status code), which
 * keeps a million numbers to a few tens of megabytes and out of the GC's way.
 */
export class StatusIndex {
  private readonly entries = new Map<string, number>();

  get size(): number {
    return this.entries.size;
  }

  set(msisdn: string, status: RegistryStatus, version: number): void {
    if (status === RegistryStatus.NotListed) {
      this.entries.delete(msisdn);
      return;
    }
    this.entries.set(msisdn, version * 4 + (CODE_OF.get(status) ?? 0));
  }

  statusOf(msisdn: string): RegistryStatus {
    return StatusIndex.statusIn(this.lookup(msisdn));
  }

  versionOf(msisdn: string): number {
    return StatusIndex.versionIn(this.lookup(msisdn));
  }

  /** The number's packed entry (status and version, for statusIn/versionIn): one look-up where a check needs both. */
  lookup(msisdn: string): number | undefined {
    return this.entries.get(msisdn);
  }

  static statusIn(packed: number | undefined): RegistryStatus {
    return packed === undefined ? RegistryStatus.NotListed : STATUS_CODES[packed % 4];
  }

  static versionIn(packed: number | undefined): number {
    return packed === undefined ? 0 : Math.floor(packed / 4);
  }

  clear(): void {
    this.entries.clear();
  }
}
