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
  /** Listed numbers per status code, kept as entries change (metrics read them on every scrape). */
  private readonly counts = [0, 0, 0, 0];

  get size(): number {
    return this.entries.size;
  }

  set(msisdn: string, status: RegistryStatus, version: number): void {
    const before = this.entries.get(msisdn);
    if (before !== undefined) this.counts[before % 4]--;
    if (status === RegistryStatus.NotListed) {
      this.entries.delete(msisdn);
      return;
    }
    const code = CODE_OF.get(status) ?? 0;
    this.counts[code]++;
    this.entries.set(msisdn, version * 4 + code);
  }

  /** How many numbers have `status` (NOT_LISTED ones are not kept: 0). */
  countOf(status: RegistryStatus): number {
    return status === RegistryStatus.NotListed ? 0 : this.counts[CODE_OF.get(status) ?? 0];
  }

  statusOf(msisdn: string): RegistryStatus {
    const packed = this.entries.get(msisdn);
    return packed === undefined ? RegistryStatus.NotListed : STATUS_CODES[packed % 4];
  }

  versionOf(msisdn: string): number {
    const packed = this.entries.get(msisdn);
    return packed === undefined ? 0 : Math.floor(packed / 4);
  }

  clear(): void {
    this.entries.clear();
    this.counts.fill(0);
  }
}
