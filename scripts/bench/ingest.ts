import { Metadata, type ClientWritableStream, type ServiceError } from '@grpc/grpc-js';
import type { carrier } from '@app/contracts';
import { fixtures, type CarrierId } from '@app/domain';
import { createGrpcClient } from '@app/grpc';
import { toWireEvent } from '../../apps/carrier/src/ingest/event.mapper';

export const INGEST_BATCH = 500;

export interface IngestLoad {
  batches: carrier.Event[][];
  events: number;
}

/**
 * bench:replay's simulated population (every subscriber a CTCC one), as the
 * IngestEvents messages a carrier receives: its subscriber records and all the
 * traffic, `batchSize` events per message.
 */
export function ingestLoad(subscribers: number, days: number, carrierId: CarrierId = 'CTCC', batchSize = INGEST_BATCH): IngestLoad {
  const pop = fixtures.population({ subscribers, days, heavyPerMille: 5, fraudPerMille: 2, seed: 1 });
  const batches: carrier.Event[][] = [];
  let batch: carrier.Event[] = [];
  let events = 0;
  for (const event of pop.events) {
    if (event.type === 'subscriber' && event.carrier !== carrierId) continue;
    const wire = toWireEvent(event);
    if (!wire) continue;
    batch.push(wire);
    events++;
    if (batch.length === batchSize) {
      batches.push(batch);
      batch = [];
    }
  }
  if (batch.length > 0) batches.push(batch);
  return { batches, events };
}

type IngestClient = {
  ingestEvents(m: Metadata, cb: (e: ServiceError | null, r?: carrier.IngestEventsResponse) => void): ClientWritableStream<carrier.IngestEventsRequest>;
  close(): void;
};

/**
 * Streams every batch over one IngestEvents call with flow control (as `npm run
 * ingest` and the simulator do); resolves with the response and the time from
 * the first write to the response.
 */
export async function streamIngest(address: string, token: string, load: IngestLoad): Promise<{ ms: number; response: carrier.IngestEventsResponse }> {
  const client = createGrpcClient('fraud.carrier.v1.CarrierService', 'fraud/carrier/v1/carrier.proto', address, { token }) as unknown as IngestClient;
  try {
    const started = performance.now();
    const response = await new Promise<carrier.IngestEventsResponse>((resolve, reject) => {
      const call = client.ingestEvents(new Metadata(), (error, answer) => (error ? reject(error) : resolve(answer!)));
      void (async () => {
        for (const events of load.batches) {
          if (!call.write({ events })) await new Promise((drained) => call.once('drain', drained));
        }
        call.end();
      })().catch(reject);
    });
    return { ms: performance.now() - started, response };
  } finally {
    client.close();
  }
}
