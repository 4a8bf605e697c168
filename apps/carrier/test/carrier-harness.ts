import type { carrier } from '@app/contracts';
import type { CarrierEvent, CarrierId } from '@app/domain';
import { ServiceHarness, type ServiceClient, type StartOptions } from '@app/testing';
import { CARRIER_GRPC } from '../src/carrier.grpc';
import { CarrierModule } from '../src/carrier.module';
import { carrierConfig } from '../src/config/carrier.config';
import { carrierDatabase } from '../src/database';
import { toWireEvent } from '../src/ingest/event.mapper';

/** A carrier service booted as in production (real module, gRPC on loopback, real PostgreSQL). */
export type CarrierHarness = ServiceHarness<carrier.CarrierServiceController>;
/** Typed calls of fraud.carrier.v1.CarrierService. */
export type CarrierClient = ServiceClient<carrier.CarrierServiceController>;

export const CarrierHarness = {
  /** `client()` calls as `carrier:<ID>`, the carrier's own systems. */
  start: (carrierId: CarrierId, options?: StartOptions): Promise<CarrierHarness> =>
    ServiceHarness.start(
      {
        database: carrierDatabase,
        instance: carrierId,
        grpc: CARRIER_GRPC,
        env: { CARRIER_ID: carrierId },
        module: (env, clock) => CarrierModule.forCarrier(carrierConfig(env), env, clock),
        defaultRole: `carrier:${carrierId}`,
      },
      options,
    ),
};

/** The carrier a harness serves. */
export function carrierIdOf(harness: CarrierHarness): CarrierId {
  return harness.env.CARRIER_ID as CarrierId;
}

/** Streams the batches on IngestEvents, then ends the stream and waits for the answer. */
export async function ingest(client: CarrierClient, batches: carrier.Event[][]): Promise<carrier.IngestEventsResponse> {
  const call = client.ingestEvents();
  for (const events of batches) await call.write({ events });
  call.end();
  return call.response;
}

/** Domain events (fixtures) as IngestEvents carries them, in batches of `size`; ids `<idPrefix>-<index>` when given. */
export function toWire(events: CarrierEvent[], size = 500, idPrefix?: string): carrier.Event[][] {
  const wire = events.map((event, i) => {
    const message = toWireEvent(event, idPrefix ? `${idPrefix}-${i}` : '');
    if (!message) throw new Error(`${event.type} events do not travel on IngestEvents`);
    return message;
  });
  const batches: carrier.Event[][] = [];
  for (let i = 0; i < wire.length; i += size) batches.push(wire.slice(i, i + size));
  return batches;
}
