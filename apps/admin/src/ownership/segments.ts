import type { CarrierId } from '@app/domain';
import type { Msisdn } from '@app/domain';

/**
 * Mobile number segments (the three digits after +86) as allocated by the
 * Ministry of Industry and Information Technology. A ported number keeps its
 * segment but not its carrier: ported_number wins over this table.
 */
const SEGMENTS: Readonly<Record<CarrierId, readonly number[]>> = {
  CTCC: [133, 153, 177, 180, 189, 191, 193, 199],
  CMCC: [134, 135, 136, 137, 138, 139, 147, 150, 151, 152, 157, 158, 159, 178, 182, 183, 184, 187, 188, 198],
  CUCC: [130, 131, 132, 145, 155, 156, 166, 175, 176, 185, 186],
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
