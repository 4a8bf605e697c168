import type { Http2Server, Http2SecureServer, IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import type { Server } from '@grpc/grpc-js';

/** Headers whose repetition must reach the AuthGuard, which refuses a call sending more than one. */
const GUARDED_HEADERS: readonly string[] = ['authorization'];

type AnyHttp2Server = Http2Server | Http2SecureServer;

/**
 * Node's HTTP/2 layer keeps only the first `authorization` header of a request
 * and drops the others, so a call sending two would pass with the first one. The
 * raw header list still has them all: before grpc-js reads a new stream's
 * headers, every value of a guarded header is put back (as an array, which
 * grpc-js turns into repeated metadata), for the guard to see and refuse.
 * grpc-js keeps its bound HTTP/2 servers in a private map and offers no hook
 * (Nest binds before our options see the server), so they are found there; a
 * grpc-js without it fails here, loudly, rather than let the check lapse.
 */
export function keepRepeatedHeaders(server: Server): void {
  const http2Servers = (server as unknown as { http2Servers?: Map<AnyHttp2Server, unknown> }).http2Servers;
  if (!(http2Servers instanceof Map) || http2Servers.size === 0) {
    throw new Error(
      'no bound HTTP/2 server found in this @grpc/grpc-js Server: repeated authorization headers could not be refused',
    );
  }
  for (const http2Server of http2Servers.keys()) http2Server.prependListener('stream', restoreRepeatedHeaders);
}

function restoreRepeatedHeaders(
  _stream: ServerHttp2Stream,
  headers: IncomingHttpHeaders,
  _flags: number,
  rawHeaders: string[],
): void {
  for (const name of GUARDED_HEADERS) {
    const values: string[] = [];
    for (let i = 0; i + 1 < rawHeaders.length; i += 2) if (rawHeaders[i] === name) values.push(rawHeaders[i + 1]);
    if (values.length > 1) (headers as Record<string, string | string[]>)[name] = values;
  }
}
