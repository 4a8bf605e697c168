import { envEnum, type Env } from '@app/config';
import { CARRIER_IDS, type CarrierId } from '@app/grpc';

/** GRPC_PORT when unset: one port per carrier, so one host can run them all. */
export const CARRIER_DEFAULT_PORTS: Readonly<Record<CarrierId, number>> = { CMCC: 50061, CUCC: 50062, CTCC: 50063, CBN: 50064 };

export interface CarrierConfig {
  /** The one carrier this process serves (`CARRIER_ID`, required). */
  carrierId: CarrierId;
  defaultPort: number;
}

export function carrierConfig(env: Env): CarrierConfig {
  const carrierId = envEnum(env, 'CARRIER_ID', CARRIER_IDS);
  return { carrierId, defaultPort: CARRIER_DEFAULT_PORTS[carrierId] };
}
