import { credentials, makeGenericClientConstructor, Metadata, type Client, type MethodDefinition } from '@grpc/grpc-js';
import type { carrier } from '@app/contracts';
import { fixtures, type CarrierEvent, type CarrierId } from '@app/domain';
import { clientStreaming, MAX_MESSAGE_BYTES } from '@app/grpc';
import { toWireEvent } from '../../apps/carrier/src/ingest/event.mapper';
import { protoMethod } from './proto-methods';

export const INGEST_BATCH = 500;

export interface IngestLoad {
  /** Each IngestEventsRequest message, encoded once, before anything is timed. */
  messages: Buffer[];
  events: number;
}

/**
 * bench:replay's simulated population (every subscriber a CTCC one), as the
 * IngestEvents messages a carrier receives: its subscriber records and all the
 * traffic, `batchSize` events per message, encoded by the method's own
 * serializer up front, so that the stream measures the server, not the
 * client's protobuf encoding (which runs on the same two cores).
 */
export function ingestLoad(
  subscribers: number,
  days: number,
  carrierId: CarrierId = 'CTCC',
  batchSize = INGEST_BATCH,
): IngestLoad {
  const pop = fixtures.population({ subscribers, days, heavyPerMille: 5, fraudPerMille: 2, seed: 1 });
  return encodeEvents(ingestBatches(pop.events, carrierId, batchSize));
}

/** Domain events in batches (ingestBatches), as IngestEvents messages. */
export function encodeEvents(batches: readonly CarrierEvent[][]): IngestLoad {
  return encodeIngest(batches.map((batch) => batch.map((event) => toWireEvent(event)!)));
}

/**
 * The events of a population that a carrier receives on IngestEvents (its own
 * subscriber records and all the traffic: nothing that travels another way), in
 * batches of `batchSize`.
 */
export function ingestBatches(
  events: readonly CarrierEvent[],
  carrierId: CarrierId = 'CTCC',
  batchSize = INGEST_BATCH,
): CarrierEvent[][] {
  const batches: CarrierEvent[][] = [];
  let batch: CarrierEvent[] = [];
  for (const event of events) {
    if (event.type === 'subscriber' && event.carrier !== carrierId) continue;
    if (!toWireEvent(event)) continue;
    batch.push(event);
    if (batch.length === batchSize) {
      batches.push(batch);
      batch = [];
    }
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/** Messages of these batches of events, encoded as IngestEvents carries them. */
export function encodeIngest(batches: carrier.Event[][]): IngestLoad {
  const serialize = ingestMethod().requestSerialize;
  return {
    messages: batches.map((events) => serialize({ events })),
    events: batches.reduce((n, b) => n + b.length, 0),
  };
}

function ingestMethod(): MethodDefinition<carrier.IngestEventsRequest, carrier.IngestEventsResponse> {
  return protoMethod('fraud/carrier/v1/carrier.proto', 'fraud.carrier.v1.CarrierService', 'IngestEvents');
}

/** An IngestEvents client that sends already-encoded messages as they are. */
function rawIngestClient(address: string): Client {
  const method = ingestMethod();
  const Client = makeGenericClientConstructor(
    {
      ingestEvents: { ...method, requestSerialize: (message: Buffer) => message } as unknown as MethodDefinition<
        unknown,
        unknown
      >,
    },
    'CarrierService',
  );
  return new Client(address, credentials.createInsecure(), {
    'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
  });
}

/**
 * Streams every batch over one IngestEvents call with flow control (as `npm run
 * ingest` and the simulator do); resolves with the response and the time from
 * the first write to the response.
 */
export async function streamIngest(
  address: string,
  token: string,
  load: IngestLoad,
): Promise<{ ms: number; response: carrier.IngestEventsResponse }> {
  const client = rawIngestClient(address);
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  try {
    const started = performance.now();
    const call = clientStreaming<Buffer, carrier.IngestEventsResponse>(client, 'ingestEvents', metadata);
    for (const message of load.messages) await call.write(message);
    call.end();
    const response = await call.response;
    return { ms: performance.now() - started, response };
  } finally {
    client.close();
  }
}
