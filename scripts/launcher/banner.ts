import type { DevToken } from './dev-tokens';

/** The banner's last line: everything is SERVING (the e2e test waits for it). */
export const READY_LINE = ' Ctrl-C stops everything.';

export interface BannerEndpoint {
  name: string;
  address: string;
  pid: number;
  /** Its Prometheus metrics, e.g. `http://127.0.0.1:9461/metrics`. */
  metricsUrl?: string;
}

/** The analysts' dashboard, served by the admin. */
export interface BannerDashboard {
  /** e.g. `http://127.0.0.1:8080/`. */
  url: string;
  /** The dev token to sign in with (an administration token: it may also issue directives). */
  token: DevToken;
}

/** The carriers run as shards (CARRIER_SHARDS=N): N processes per carrier, meeting over NATS. */
export interface BannerShards {
  /** CARRIER_SHARDS. */
  count: number;
  /** NATS_URL: mask passwords first. */
  natsUrl: string;
  /** Every shard process, carrier by carrier in shard order, e.g. `carrier-cmcc/1`. */
  processes: { name: string; address: string; metricsPort: number }[];
}

export interface BannerInput {
  endpoints: BannerEndpoint[];
  shards?: BannerShards;
  dashboard?: BannerDashboard;
  /** Shown as-is: mask passwords first (maskPassword). */
  database: string;
  dataDir: string;
  /** `${DATA_DIR}/stack.json`, which fraudctl follows, when written. */
  stackFile?: string;
  tokens: DevToken[];
  tokenTtlHours: number;
}

export function banner(input: BannerInput): string[] {
  const { endpoints, shards, dashboard, database, dataDir, stackFile, tokens, tokenTtlHours } = input;
  const registry = endpoints.find((e) => e.name === 'registry');
  const width = Math.max(...endpoints.map((e) => e.name.length), 'data folder'.length);
  const row = (label: string, value: string): string => `   ${label.padEnd(width)}  ${value}`;
  const rule = '-'.repeat(78);
  const examples = registry
    ? [
        `   grpcurl -plaintext ${registry.address} list`,
        `   grpcurl -plaintext ${registry.address} grpc.health.v1.Health/Check`,
        `   grpcurl -plaintext -H "authorization: Bearer $POLICE_TOKEN" -d '{"msisdns":["19112345678"]}' ` +
          `${registry.address} fraud.registry.v1.RegistryService/CheckNumbers`,
      ]
    : [];
  return [
    rule,
    ` fraud-numbers: ${endpoints.length} ${shards ? 'processes' : 'services'} SERVING ` +
      '(plaintext gRPC: development only)',
    '',
    ...endpoints.map((e) => row(e.name, `${e.address}  (pid ${e.pid})`)),
    row('database', database),
    row('data folder', dataDir),
    '',
    ...(shards ? shardLines(shards, row) : []),
    ...metricsLines(endpoints, row),
    ...(dashboard ? dashboardLines(dashboard) : []),
    ` Dev tokens, valid ${tokenTtlHours} h (paste into a shell):`,
    ...tokens.map((t) => `   export ${t.variable}=${t.token}  # ${t.role}`),
    '',
    ' Try:',
    ...examples,
    '   npx fraudctl check 19112345678     ' +
      '# the operator CLI: registry status (npx fraudctl --help lists its commands)',
    '   npx fraudctl explain 19112345678   # why its carrier warned, restricted or suspended it: reasons, cells, times',
    '   npm run -s token -- --role police --subject officer-1   # more tokens, same data folder',
    ...(stackFile ? [` fraudctl follows these addresses through ${stackFile}: no port variable to export.`] : []),
    '',
    READY_LINE,
    rule,
  ];
}

function shardLines(
  { count, natsUrl, processes }: BannerShards,
  row: (label: string, value: string) => string,
): string[] {
  return [
    ` Carrier shards: ${count} processes per carrier (CARRIER_SHARDS), over NATS at ${natsUrl} (NATS_URL):`,
    ...processes.map((p) => row(p.name, `${p.address}  metrics port ${p.metricsPort}`)),
    "   a carrier's address (fraudctl, its peers, stack.json) is its shard 0's",
    '',
  ];
}

function metricsLines(endpoints: BannerEndpoint[], row: (label: string, value: string) => string): string[] {
  const served = endpoints.filter((e) => e.metricsUrl !== undefined);
  if (served.length === 0) return [];
  return [
    ' Metrics (Prometheus, no token: keep these ports internal):',
    ...served.map((e) => row(e.name, e.metricsUrl!)),
    '',
  ];
}

function dashboardLines({ url, token }: BannerDashboard): string[] {
  return [
    ` Dashboard: ${url}  (JSON API docs: ${url}api/docs)`,
    `   sign in with this ${token.role} token (${token.variable} below; ANALYST_TOKEN for read-only):`,
    `   ${token.token}`,
    '',
  ];
}

/** The URL with its password replaced, for logs and the banner. */
export function maskPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === '') return url;
    parsed.password = '*****';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}
