import '../register-aliases'; // must stay first: the modules below are compiled with @app/* specifiers
import {
  Server,
  ServerCredentials,
  type ServerReadableStream,
  type ServiceDefinition,
  type sendUnaryData,
} from '@grpc/grpc-js';
import type { carrier } from '@app/contracts';
import { callVerdict } from '@app/contracts/codecs';
import { isServiceDefinition, loadProtoDefinition, MAX_MESSAGE_BYTES } from '@app/grpc';

/**
 * The reference `npm run bench` compares the carrier with: a plain grpc-js
 * server, in its own process as the carrier is, with the carrier's proto loaded
 * with the services' proto-loader options. IngestEvents only counts the
 * decoded events; CheckCall answers a constant. Prints `listening <port>`.
 */
const definition = loadProtoDefinition(['fraud/carrier/v1/carrier.proto'])['fraud.carrier.v1.CarrierService'];
if (!isServiceDefinition(definition)) throw new Error('fraud.carrier.v1.CarrierService is not in carrier.proto');

const ALLOW: carrier.CheckCallResponse = { verdict: callVerdict.toWire('ALLOW'), reasons: [] };

const server = new Server({
  'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
  'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
});
server.addService(definition as unknown as ServiceDefinition, {
  IngestEvents: (
    call: ServerReadableStream<carrier.IngestEventsRequest, carrier.IngestEventsResponse>,
    callback: sendUnaryData<carrier.IngestEventsResponse>,
  ) => {
    let accepted = 0;
    call.on('data', (request: carrier.IngestEventsRequest) => {
      accepted += request.events.length;
    });
    call.on('end', () =>
      callback(null, { accepted, duplicates: 0, rejected: 0, late: 0, rejections: [], decisions: 0 }),
    );
    call.on('error', () => undefined);
  },
  CheckCall: (_call: unknown, callback: sendUnaryData<carrier.CheckCallResponse>) => callback(null, ALLOW),
});

server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) => {
  if (error) {
    console.error(`raw server: ${error.message}`);
    process.exit(1);
  }
  console.log(`listening ${port}`);
});
process.on('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
