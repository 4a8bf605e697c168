import type { GrpcServiceSpec } from '@app/grpc';
import { CheckCallRpc } from './callcheck/callcheck.rpc';

/** What a carrier serves over gRPC (also used by tests to boot it). */
export const CARRIER_GRPC: GrpcServiceSpec = {
  protoFiles: ['fraud/carrier/v1/carrier.proto'],
  packages: ['fraud.carrier.v1'],
  healthServices: ['fraud.carrier.v1.CarrierService'],
  plainRpcs: [CheckCallRpc],
};
