import type { CarrierId } from '@app/domain';

/**
 * GRPC_PORT when unset: one port per carrier, so one host can run them all.
 * Apart from carrier.config so that clients (npm start, fraudctl) read it without loading the service.
 */
export const CARRIER_DEFAULT_PORTS: Readonly<Record<CarrierId, number>> = {
  CMCC: 50061,
  CUCC: 50062,
  CTCC: 50063,
  CBN: 50064,
};
/** METRICS_PORT when unset, likewise one per carrier. */
export const CARRIER_DEFAULT_METRICS_PORTS: Readonly<Record<CarrierId, number>> = {
  CMCC: 9471,
  CUCC: 9472,
  CTCC: 9473,
  CBN: 9474,
};
