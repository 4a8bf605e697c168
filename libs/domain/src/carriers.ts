/**
 * The carriers the system knows: the one list that roles, configuration, event
 * files, the administration, the scripts and fraudctl all read. Free of imports,
 * so that scripts compiled by plain tsc (mint-token) can load it by path.
 */
export const CARRIER_IDS = ['CMCC', 'CUCC', 'CTCC', 'CBN'] as const;
export type CarrierId = (typeof CARRIER_IDS)[number];

export function isCarrierId(value: string): value is CarrierId {
  return (CARRIER_IDS as readonly string[]).includes(value);
}
