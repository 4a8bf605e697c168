import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Server, ServerCredentials, type ServerReadableStream, type ServiceDefinition } from '@grpc/grpc-js';
import type { carrier } from '@app/contracts';
import { loadProtoDefinition } from '@app/grpc';
import { carrierTargets, parseSimulateArguments, readStackFile, runSimulate, summary } from './simulate-cli';

/**
 * A stand-in carrier over plaintext gRPC: takes every event dated from `lateBefore`
 * on and calls the older ones late, as a carrier that has already seen newer events.
 */
async function fakeCarrier(lateBefore = Number.NEGATIVE_INFINITY): Promise<{ address: string; stop(): void }> {
  const server = new Server();
  const definition = loadProtoDefinition(['fraud/carrier/v1/carrier.proto'])[
    'fraud.carrier.v1.CarrierService'
  ] as ServiceDefinition;
  server.addService(definition, {
    ingestEvents: (
      call: ServerReadableStream<carrier.IngestEventsRequest, carrier.IngestEventsResponse>,
      done: (error: null, answer: carrier.IngestEventsResponse) => void,
    ) => {
      const answer = { accepted: 0, duplicates: 0, rejected: 0, late: 0, rejections: [], decisions: 0 };
      let batch = 0;
      call.on('data', (request: carrier.IngestEventsRequest) => {
        request.events.forEach((event, index) => {
          if (event.subscriber || Number(event.atMs) >= lateBefore) answer.accepted++;
          else {
            answer.late++;
            (answer.rejections as carrier.EventRejection[]).push({ batch, index, field: 'at_ms', reason: 'too old' });
          }
        });
        batch++;
      });
      call.on('end', () => done(null, { ...answer, rejections: answer.rejections.slice(0, 100) }));
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, p) =>
      error ? reject(error) : resolve(p),
    ),
  );
  return { address: `127.0.0.1:${port}`, stop: () => server.forceShutdown() };
}

describe('simulate --carriers', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'simulate-carriers-'));
    // No TLS variable at all, as in a newcomer's terminal; the stack's folder holds the keys and stack.json.
    env = { DATA_DIR: dir, AUTH_KEY_DIR: path.join(dir, 'keys') };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const stack = (tls: boolean, addresses: Record<string, string>) => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'stack.json'), JSON.stringify({ tls, addresses }));
  };
  const args = (...more: string[]) =>
    parseSimulateArguments(['--carriers', '--subscribers', '300', '--days', '1', '--seed', '4', ...more]);

  it("feeds the carriers at stack.json's addresses in plaintext and sums up what each took", async () => {
    const [cmcc, ctcc] = [await fakeCarrier(), await fakeCarrier()];
    try {
      // A stack running two carriers: the third is not fed.
      stack(false, { CARRIER_CMCC_ADDRESS: cmcc.address, CARRIER_CTCC_ADDRESS: ctcc.address, ADMIN_ADDRESS: 'x:1' });
      const err: string[] = [];
      const result = await runSimulate(args(), { write: (c: string) => err.push(c) }, env);
      expect(result.failures).toEqual([]);
      expect(Object.keys(result.carriers ?? {})).toEqual(['CMCC', 'CTCC']);
      const fed = result.carriers!.CMCC!;
      expect(fed.address).toBe(cmcc.address);
      expect(fed.sent).toBeGreaterThan(1000);
      expect(fed.response.accepted).toBe(fed.sent);
      const text = err.join('');
      expect(text).toContain(`CMCC at ${cmcc.address}, CTCC at ${ctcc.address} (addresses from stack.json; plaintext`);
      expect(text).toMatch(/100\.0% .*; carriers' answers [\d,]+ accepted, 0 duplicate, 0 late, 0 refused/);
      expect(text).toMatch(new RegExp(`simulate: CMCC \\(${cmcc.address}\\) ok: [\\d,]+ sent, [\\d,]+ accepted`));
      // A summary, not the answers' JSON.
      expect(text).not.toContain('{');
      expect(text.length).toBeLessThan(2000);
    } finally {
      cmcc.stop();
      ctcc.stop();
    }
  });

  it('fails, naming the carrier and the cause, when a carrier turns most events away as late', async () => {
    // The carrier has seen events of today; the population is dated 2024.
    const cucc = await fakeCarrier(Date.parse('2026-12-01T00:00:00Z'));
    try {
      const err: string[] = [];
      const result = await runSimulate(
        args('--address', `CUCC=${cucc.address}`),
        { write: (c: string) => err.push(c) },
        env,
      );
      const fed = result.carriers!.CUCC!;
      expect(fed.response.late).toBeGreaterThan(fed.sent / 2);
      expect(result.failures).toHaveLength(1);
      expect(result.failures![0]).toMatch(
        /^CUCC turned away [\d,]+ of [\d,]+ events \([\d,]+ late, 0 refused\).*--start now/,
      );
      expect(err.join('')).toMatch(/simulate: CUCC \(.*\) FAILED: .*\nsimulate: failed: CUCC turned away/);
      expect(err.join('')).not.toMatch(/100\.0%/);
    } finally {
      cucc.stop();
    }
  });

  it('takes events of --start now from a carrier that has seen nothing newer', async () => {
    const cucc = await fakeCarrier(Date.now() - 2 * 86_400_000);
    try {
      const result = await runSimulate(
        args('--address', `CUCC=${cucc.address}`, '--start', 'now'),
        { write: () => true },
        env,
      );
      expect(result.failures).toEqual([]);
      expect(result.carriers!.CUCC!.response.late).toBe(0);
    } finally {
      cucc.stop();
    }
  });

  it('fails before generating anything when a carrier is unreachable, naming it and its address', async () => {
    const cmcc = await fakeCarrier();
    const gone = await fakeCarrier();
    gone.stop();
    try {
      const err: string[] = [];
      await expect(
        runSimulate(
          args('--address', `CMCC=${cmcc.address}`, '--address', `CTCC=${gone.address}`),
          { write: (c: string) => err.push(c) },
          env,
        ),
      ).rejects.toThrow(new RegExp(`^unreachable: CTCC at ${gone.address} \\(.*\\)\\. Is the stack running`));
      expect(err.join('')).not.toMatch(/events for/);
    } finally {
      cmcc.stop();
    }
  });
});

describe(carrierTargets.name, () => {
  it('takes each address from CARRIER_<ID>_ADDRESS, CARRIER_<ID>_PORT, the stack, the default, in that order', () => {
    const stack = {
      tls: false,
      addresses: { CARRIER_CMCC_ADDRESS: '127.0.0.1:1', CARRIER_CUCC_ADDRESS: '127.0.0.1:2' },
    };
    const env = { CARRIER_CMCC_ADDRESS: '127.0.0.1:7', CARRIER_CUCC_PORT: '8' };
    expect(carrierTargets({}, env, stack).addresses).toEqual({ CMCC: '127.0.0.1:7', CUCC: '127.0.0.1:8' });
    expect(carrierTargets({}, {}).addresses).toEqual({
      CMCC: '127.0.0.1:50061',
      CUCC: '127.0.0.1:50062',
      CTCC: '127.0.0.1:50063',
    });
    expect(carrierTargets({ CTCC: 'h:1' }, env, stack).addresses).toEqual({ CTCC: 'h:1' });
  });

  it('speaks plaintext to a plaintext stack and on this host, TLS elsewhere and when told', () => {
    const insecure = (t: { credentialsEnv: NodeJS.ProcessEnv }) => t.credentialsEnv.GRPC_INSECURE === 'true';
    expect(insecure(carrierTargets({}, {}, { tls: false, addresses: {} }))).toBe(true);
    expect(insecure(carrierTargets({}, {}))).toBe(true);
    expect(carrierTargets({}, {}).note).toMatch(/plaintext on this host/);
    expect(insecure(carrierTargets({ CMCC: 'carrier.example:443' }, {}))).toBe(false);
    expect(insecure(carrierTargets({}, {}, { tls: true, addresses: {} }))).toBe(false);
    expect(insecure(carrierTargets({}, { GRPC_TLS_CA: '/ca.pem' }))).toBe(false);
    expect(carrierTargets({}, { GRPC_TLS_CA: '/ca.pem' }).note).toMatch(/TLS$/);
  });
});

describe(readStackFile.name, () => {
  it('reads the stack file under DATA_DIR, and names a broken one', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'stack-'));
    try {
      expect(readStackFile({ DATA_DIR: dir })).toBeUndefined();
      writeFileSync(path.join(dir, 'stack.json'), '{"tls":false,"addresses":{"CARRIER_CMCC_ADDRESS":"127.0.0.1:9"}}');
      expect(readStackFile({ DATA_DIR: dir })).toEqual({
        tls: false,
        addresses: { CARRIER_CMCC_ADDRESS: '127.0.0.1:9' },
      });
      writeFileSync(path.join(dir, 'stack.json'), '{"addresses":{}}');
      expect(() => readStackFile({ DATA_DIR: dir })).toThrow(/stack\.json has no "tls" and "addresses"/);
      writeFileSync(path.join(dir, 'stack.json'), 'nope');
      expect(() => readStackFile({ DATA_DIR: dir })).toThrow(/stack\.json is not JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe(summary.name, () => {
  it('gives a line per carrier and the most frequent reasons it refused events for', () => {
    const text = summary(
      {
        CMCC: {
          address: 'h:1',
          sent: 1200,
          response: {
            accepted: 1190,
            duplicates: 0,
            rejected: 10,
            late: 0,
            decisions: 3,
            rejections: Array.from({ length: 10 }, (_, index) => ({
              batch: 0,
              index,
              field: 'call.callee',
              reason: 'not a number',
            })),
          },
        },
      },
      [],
    );
    expect(text).toBe(
      'simulate: CMCC (h:1) ok: 1,200 sent, 1,190 accepted, 0 duplicate, 0 late, 10 refused; 3 decisions\n' +
        'simulate:   10× call.callee: not a number\n' +
        'simulate: done; the carriers report to the administration: open the dashboard\n',
    );
  });
});
