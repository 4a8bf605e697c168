import './register-aliases'; // must stay first: the modules below are compiled with @app/* specifiers
import { createReadStream } from 'node:fs';
import type { carrier } from '@app/contracts';
import {
  CARRIER_IDS,
  decodeLine,
  EventFileLines,
  isCarrierId,
  parseEvent,
  scanEventLine,
  ValidationError,
  type CarrierId,
} from '@app/domain';
import { clientCredentials, clientStreaming, createGrpcClient, loadSigningKey, signToken } from '@app/grpc';
import { CARRIER_DEFAULT_PORTS } from '../apps/carrier/src/config/carrier-ports';
import { toWireEvent } from '../apps/carrier/src/ingest/event.mapper';

const USAGE =
  `usage: npm run --silent ingest -- FILE --carrier ${CARRIER_IDS.join('|')} ` +
  '[--address HOST:PORT] [--token TOKEN]';
const BATCH = 500;

interface Options {
  file: string;
  carrier: CarrierId;
  address: string;
  token: string;
}

function parse(argv: string[]): Options {
  const named = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i].startsWith('--')) named.set(argv[i].slice(2), argv[++i] ?? '');
    else positional.push(argv[i]);
  }
  const carrierId = named.get('carrier');
  if (positional.length !== 1 || !carrierId || !isCarrierId(carrierId)) throw new Error(USAGE);
  // Outside production the development key mints this carrier's token, as `npm run token` would.
  const token =
    named.get('token') ??
    process.env.CARRIER_TOKEN ??
    signToken(
      { subject: `ingest-${carrierId.toLowerCase()}`, role: `carrier:${carrierId}`, ttlSeconds: 8 * 3600 },
      loadSigningKey(process.env),
    );
  return {
    file: positional[0],
    carrier: carrierId,
    address: named.get('address') ?? `127.0.0.1:${CARRIER_DEFAULT_PORTS[carrierId]}`,
    token,
  };
}

/**
 * The bulk path: streams an event file (DESIGN.md §3) into a running carrier's
 * IngestEvents, in batches, with flow control. Subscriber records of other
 * carriers and events that reach a carrier another way are skipped and counted;
 * malformed lines are reported with their line numbers.
 */
async function main(): Promise<void> {
  const options = parse(process.argv.slice(2));
  const client = createGrpcClient(
    'fraud.carrier.v1.CarrierService',
    'fraud/carrier/v1/carrier.proto',
    options.address,
    {
      credentials: clientCredentials(process.env),
      token: options.token,
    },
  );
  let lineNo = 0;
  let skipped = 0;
  let sent = 0;
  const bad: string[] = [];
  const call = clientStreaming<carrier.IngestEventsRequest, carrier.IngestEventsResponse>(client, 'ingestEvents');
  let batch: carrier.Event[] = [];
  /** Events read and not yet sent. */
  let read: carrier.Event[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    sent += batch.length;
    await call.write({ events: batch });
    batch = [];
    if (sent % 100_000 < BATCH) process.stderr.write(`ingest: ${sent} events sent\n`);
  };
  const lines = new EventFileLines((bytes, start, end) => {
    lineNo++;
    try {
      let event = scanEventLine(bytes, start, end);
      if (event === undefined) {
        const text = decodeLine(bytes, start, end);
        if (!text.trim()) return;
        event = parseEvent(JSON.parse(text));
      }
      const wire = event.type === 'subscriber' && event.carrier !== options.carrier ? undefined : toWireEvent(event);
      if (!wire) skipped++;
      else read.push(wire);
    } catch (error) {
      if (!(error instanceof ValidationError) && !(error instanceof SyntaxError)) throw error;
      if (bad.length < 100) bad.push(`line ${lineNo}: ${error.message}`);
    }
  });
  const send = async () => {
    for (let at = 0; read.length - at >= BATCH; at += BATCH) {
      batch = read.slice(at, at + BATCH);
      await flush();
    }
    read = read.slice(read.length - (read.length % BATCH));
  };
  // Bytes, not text: most lines become events without being decoded (EventFileLines, scanEventLine).
  for await (const chunk of createReadStream(options.file)) {
    lines.push(chunk as Buffer);
    await send();
  }
  lines.end();
  await send();
  batch = read;
  await flush();
  call.end();
  const response = await call.response;
  client.close();
  for (const line of bad) process.stderr.write(`ingest: skipped ${line}\n`);
  process.stderr.write(`ingest: ${sent} events sent, ${skipped} not for IngestEvents, ${bad.length} malformed lines\n`);
  process.stdout.write(`${JSON.stringify(response)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`ingest: ${(error as Error).message}\n`);
  process.exitCode = error instanceof Error && error.message === USAGE ? 2 : 1;
});
