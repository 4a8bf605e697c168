import { NumberMap, RegistryStatus } from '@app/domain';

const STATUS_CODES: readonly RegistryStatus[] = [
  RegistryStatus.NotListed,
  RegistryStatus.Suspected,
  RegistryStatus.Confirmed,
  RegistryStatus.Cleared,
];
const CODE_OF = new Map(STATUS_CODES.map((s, i) => [s, i]));

/** `+8619112345678` → 8619112345678: E.164 has no leading zero, so distinct numbers stay distinct. */
function keyOf(msisdn: string): number {
  return Number(msisdn.slice(1));
}

/**
 * The status of every listed number, in memory, for call-setup checks. One
 * number per entry packs status and version (version * 4 + status code), keyed
 * by the number's digits as a number: a million numbers take a few tens of
 * megabytes, out of the GC's way, and a look-up hashes no string.
 */
export class StatusIndex {
  /** Every status by its code (codeOf): 0 is NOT_LISTED. */
  static readonly codes: readonly RegistryStatus[] = STATUS_CODES;

  private readonly entries = new NumberMap<number>();
  /** Listed numbers per status code, kept as entries change (metrics read them on every scrape). */
  private readonly counts = [0, 0, 0, 0];

  get size(): number {
    return this.entries.size;
  }

  set(msisdn: string, status: RegistryStatus, version: number): void {
    const key = keyOf(msisdn);
    const before = this.entries.get(key);
    if (before !== undefined) this.counts[before % 4]--;
    if (status === RegistryStatus.NotListed) {
      this.entries.delete(key);
      return;
    }
    const code = CODE_OF.get(status) ?? 0;
    this.counts[code]++;
    this.entries.set(key, version * 4 + code);
  }

  /** How many numbers have `status` (NOT_LISTED ones are not kept: 0). */
  countOf(status: RegistryStatus): number {
    return status === RegistryStatus.NotListed ? 0 : this.counts[CODE_OF.get(status) ?? 0];
  }

  statusOf(msisdn: string): RegistryStatus {
    return StatusIndex.statusIn(this.lookup(msisdn));
  }

  versionOf(msisdn: string): number {
    return StatusIndex.versionIn(this.lookup(msisdn));
  }

  /** The number's packed entry (status and version, for statusIn/versionIn): one look-up where a check needs both. */
  lookup(msisdn: string): number | undefined {
    return this.entries.get(keyOf(msisdn));
  }

  /**
   * The status code (an index into StatusIndex.codes) of a number given by its
   * key, its E.164 digits as a number (8619112345678): the call-setup look-up, with no string.
   */
  codeOf(key: number): number {
    const packed = this.entries.get(key);
    return packed === undefined ? 0 : packed % 4;
  }

  static statusIn(packed: number | undefined): RegistryStatus {
    return packed === undefined ? RegistryStatus.NotListed : STATUS_CODES[packed % 4];
  }

  static versionIn(packed: number | undefined): number {
    return packed === undefined ? 0 : Math.floor(packed / 4);
  }

  clear(): void {
    this.entries.clear();
    this.counts.fill(0);
  }
}
