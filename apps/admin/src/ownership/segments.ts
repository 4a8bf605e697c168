import type { CarrierId } from '@app/domain';
import type { Msisdn } from '@app/domain';

/**
 * Mobile number segments (the three digits after +86) as allocated by the
 * Ministry of Industry and Information Technology (2024), with the virtual
 * operators' segments given to their host carrier: 162 CTCC, 165 CMCC, 167
 * and 171 CUCC, and 170 (shared by its fourth digit) whole to CUCC, as the
 * simulator (libs/domain fixtures, carrierOfNumber) subscribes them. A ported
 * number keeps its segment but not its carrier: ported_number wins over this table.
 */
const SEGMENTS: Readonly<Record<CarrierId, readonly number[]>> = {
  // MIIT gave 195 to CMCC; the simulator's fixtures subscribe it with CTCC, and changing them would change the
  // events of every seed, so it stays CTCC here until both move together (segments.spec.ts pins the agreement).
  CTCC: [133, 149, 153, 162, 173, 174, 177, 180, 181, 189, 190, 191, 193, 195, 199],
  CMCC: [
    134, 135, 136, 137, 138, 139, 147, 148, 150, 151, 152, 157, 158, 159, 165, 172, 178, 182, 183, 184, 187, 188, 197,
    198,
  ],
  CUCC: [130, 131, 132, 145, 146, 155, 156, 166, 167, 170, 171, 175, 176, 185, 186, 196],
  CBN: [192],
};

const OWNER_OF_SEGMENT: ReadonlyMap<string, CarrierId> = new Map(
  Object.entries(SEGMENTS).flatMap(([carrier, segments]) =>
    segments.map((segment) => [String(segment), carrier as CarrierId] as const),
  ),
);

const CHINESE_MOBILE = /^\+86(1\d{2})\d{8}$/;

/** The carrier a Chinese mobile number's segment belongs to; undefined for foreign numbers and unallocated segments. */
export function segmentOwner(msisdn: Msisdn): CarrierId | undefined {
  const segment = CHINESE_MOBILE.exec(msisdn)?.[1];
  return segment === undefined ? undefined : OWNER_OF_SEGMENT.get(segment);
}

export function isChineseMobile(msisdn: Msisdn): boolean {
  return CHINESE_MOBILE.test(msisdn);
}
