import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/**
 * Docker is not available to the tests: the Prometheus and Grafana of
 * docker-compose.yml are checked against the code instead. Every metric an alert
 * rule or a dashboard panel names must be declared in apps/ or libs/, the scrape
 * targets must be compose's services on their METRICS_PORT, and the provisioning
 * must point where compose mounts the files. promtool (Debian's `prometheus`
 * package) checks the syntax too where it is installed.
 */
const ROOT = path.resolve(__dirname, '..');
const read = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');
const yamlOf = <T>(file: string): T => parse(read(file), { merge: true }) as T;

interface BindMount {
  type: string;
  source: string;
  target: string;
}
interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  expose?: string[];
  volumes?: (BindMount | string)[];
}
const compose = yamlOf<{ services: Record<string, ComposeService> }>('docker-compose.yml');

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const RULES_FILE = 'ops/prometheus/alerts.yml';
const rules = yamlOf<{ groups: { name: string; rules: Rule[] }[] }>(RULES_FILE);
const prometheusConfig = yamlOf<{
  rule_files: string[];
  scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
}>('ops/prometheus/prometheus.yml');

interface Panel {
  id: number;
  title: string;
  type: string;
  datasource?: { type: string; uid: string };
  targets?: { expr: string; refId: string; datasource?: { uid: string } }[];
}
const DASHBOARDS = 'ops/grafana/dashboards';
const dashboards = readdirSync(path.join(ROOT, DASHBOARDS))
  .filter((file) => file.endsWith('.json'))
  .map((file) => ({
    file,
    json: JSON.parse(read(`${DASHBOARDS}/${file}`)) as {
      uid: string;
      title: string;
      panels: Panel[];
      templating?: { list: { query?: { query: string } | string; datasource?: { uid: string } }[] };
    },
  }));

/** Metric names declared in the services' sources: a row's or a config's first string, `name:`, a constructor's. */
function declaredMetrics(): Set<string> {
  const declaration = /(?:name:\s*|[([]\s*)'((?:fraud|grpc)_[a-z0-9_]*[a-z0-9])'\s*,/g;
  const files = ['apps', 'libs'].flatMap((top) =>
    readdirSync(path.join(ROOT, top), { recursive: true, encoding: 'utf8' })
      .filter((file) => /(^|\/)src\/.*\.ts$/.test(file) && !/\.(spec|int-spec|e2e-spec)\.ts$/.test(file))
      .map((file) => path.join(ROOT, top, file)),
  );
  return new Set(
    files.flatMap((file) => [...readFileSync(file, 'utf8').matchAll(declaration)].map((match) => match[1]!)),
  );
}

/** Series Prometheus makes itself, for every target. */
const PROMETHEUS_OWN = new Set(['up']);

/** The metric names a PromQL expression reads (functions, keywords, label names and strings left out). */
function metricsIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""') // label values, label_values' arguments aside
    .replace(/\{[^}]*\}/g, '') // label matchers
    .replace(/\[[^\]]*\]/g, '') // ranges
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '') // label lists
    .replace(/\blabel_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*,[^)]*\)/g, '$1'); // Grafana's variable query
  const keywords = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or']);
  return [...bare.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()/g)]
    .map((match) => match[1]!)
    .filter((name) => !keywords.has(name) && !['unless', 'offset', 'Inf', 'NaN', 'inf', 'nan'].includes(name))
    .filter((name) => !/^\d/.test(name));
}

/** The names neither declared in the code (a histogram's _bucket, _sum, _count included) nor Prometheus's own. */
function undeclared(names: readonly string[], declared: Set<string>): string[] {
  const known = (name: string): boolean =>
    PROMETHEUS_OWN.has(name) || declared.has(name) || declared.has(name.replace(/_(bucket|sum|count)$/, ''));
  return [...new Set(names.filter((name) => !known(name)))];
}

const declared = declaredMetrics();

describe('metric names', () => {
  it('are read from the declarations in the code, the shared ones and each service’s', () => {
    for (const name of [
      'fraud_build_info',
      'fraud_http_requests_total',
      'fraud_http_request_duration_seconds',
      'grpc_server_handling_seconds',
      'fraud_dependency_up',
      'fraud_outbox_pending',
      'fraud_events_ingested_total',
      'fraud_admin_directive_oldest_open_age_seconds',
      'fraud_registry_change_version',
    ])
      expect(declared).toContain(name);
    expect(declared).not.toContain('fraud_app'); // a database role, not a metric
  });

  it('are found in PromQL, and one the code does not declare is named', () => {
    expect(
      metricsIn(
        'histogram_quantile(0.99, sum by (carrier, le) ' +
          '(rate(fraud_directive_lag_seconds_bucket{carrier=~"C.*"}[15m])))',
      ),
    ).toEqual(['fraud_directive_lag_seconds_bucket']);
    expect(metricsIn('scalar(max(fraud_registry_change_version)) - fraud_registry_feed_cursor > 1000')).toEqual([
      'fraud_registry_change_version',
      'fraud_registry_feed_cursor',
    ]);
    expect(metricsIn('label_values(fraud_events_ingested_total, carrier)')).toEqual(['fraud_events_ingested_total']);
    expect(undeclared(metricsIn('rate(fraud_events_ingestd_total[5m]) or up == 0'), declared)).toEqual([
      'fraud_events_ingestd_total',
    ]);
  });
});

describe(RULES_FILE, () => {
  const all = rules.groups.flatMap((group) => group.rules);

  it('has alerts with an expression, a duration, a severity and a summary, each named once', () => {
    expect(all.length).toBeGreaterThan(0);
    for (const rule of all) {
      expect({ alert: rule.alert, ok: /^Fraud[A-Z][A-Za-z]+$/.test(rule.alert ?? '') }).toEqual({
        alert: rule.alert,
        ok: true,
      });
      expect(typeof rule.expr).toBe('string');
      expect(rule.for).toMatch(/^\d+[smh]$/);
      expect(['page', 'ticket']).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary).toEqual(expect.any(String));
    }
    const names = all.map((rule) => rule.alert);
    expect(new Set(names).size).toBe(names.length);
  });

  it('reads only metrics the code declares', () => {
    expect(all.map((rule) => [rule.alert, undeclared(metricsIn(rule.expr), declared)])).toEqual(
      all.map((rule) => [rule.alert, []]),
    );
  });

  it('holds the alerts the docs give as examples, with their expressions', () => {
    const docs = ['README.md', ...markdownUnder('docs')].map(read);
    const normal = (expr: string): string => expr.replace(/\s+/g, ' ').trim();
    // `# alert: …` comments before an expression in a promql block, and `- alert:` rules in a yaml block.
    const commented = docs.flatMap((text) =>
      [...text.matchAll(/^# alert:.*\n(.+)$/gm)].map((match) => normal(match[1]!)),
    );
    const ruled = docs.flatMap((text) =>
      [...text.matchAll(/^```yaml\n([\s\S]*?)^```/gm)]
        .map((match) => parseOrNothing(match[1]!) as { groups?: { rules: Rule[] }[] } | undefined)
        .flatMap((example) => example?.groups?.flatMap((group) => group.rules) ?? []),
    );
    expect(commented.length + ruled.length).toBeGreaterThan(0);
    const exprs = all.map((rule) => normal(rule.expr));
    for (const expr of commented) expect(exprs).toContain(expr);
    for (const example of ruled) expect(all).toContainEqual(expect.objectContaining({ alert: example.alert }));
    for (const example of ruled)
      expect(normal(all.find((rule) => rule.alert === example.alert)!.expr)).toBe(normal(example.expr));
  });

  it('alerts on the outbox, directive lag and open directives, demoted rules and CheckCall latency', () => {
    const reads = (metric: string): boolean => all.some((rule) => metricsIn(rule.expr).includes(metric));
    for (const metric of [
      'fraud_outbox_oldest_pending_age_seconds',
      'fraud_directive_lag_seconds_bucket',
      'fraud_admin_directive_oldest_open_age_seconds',
      'fraud_rule_demoted',
      'grpc_server_handling_seconds_bucket',
    ])
      expect({ metric, alerted: reads(metric) }).toEqual({ metric, alerted: true });
  });

  it('passes promtool check rules and check config where promtool is installed', () => {
    const promtool = onPath('promtool');
    const checked = promtool
      ? [
          execFileSync(promtool, ['check', 'rules', RULES_FILE], { cwd: ROOT, encoding: 'utf8' }),
          execFileSync(promtool, ['check', 'config', 'ops/prometheus/prometheus.yml'], { cwd: ROOT, encoding: 'utf8' }),
        ]
      : [];
    for (const output of checked) expect(output).toContain('SUCCESS');
    // Without promtool, the schema checks above stand; the rule file must still be what prometheus.yml loads.
    expect(prometheusConfig.rule_files).toEqual([path.basename(RULES_FILE)]);
  });
});

describe('the compose Prometheus', () => {
  it('scrapes every service on its METRICS_PORT, by the name compose gives it', () => {
    const withMetrics = Object.entries(compose.services)
      .filter(([, service]) => service.environment?.METRICS_PORT !== undefined)
      .map(([name, service]) => `${name}:${service.environment!.METRICS_PORT}`);
    expect(withMetrics.length).toBe(5);
    const targets = prometheusConfig.scrape_configs.flatMap((job) => job.static_configs.flatMap((c) => c.targets));
    expect(targets.sort()).toEqual(withMetrics.sort());
    for (const target of targets) {
      const [name, port] = target.split(':');
      expect(compose.services[name!]!.expose).toContain(port);
    }
  });

  it('runs a pinned image with ops/prometheus as its configuration folder', () => {
    const prometheus = compose.services.prometheus!;
    expect(prometheus.image).toMatch(/^prom\/prometheus:v\d+\.\d+\.\d+$/);
    const config = prometheus.command!.find((flag) => flag.startsWith('--config.file='))!.split('=')[1]!;
    expect(bindOf(prometheus, './ops/prometheus')).toEqual(expect.objectContaining({ target: path.dirname(config) }));
    expect(path.basename(config)).toBe('prometheus.yml');
  });
});

describe('the compose Grafana', () => {
  const grafana = compose.services.grafana!;
  const datasources = yamlOf<{ datasources: { uid: string; type: string; url: string }[] }>(
    'ops/grafana/provisioning/datasources/prometheus.yml',
  ).datasources;
  const providers = yamlOf<{ providers: { type: string; options: { path: string } }[] }>(
    'ops/grafana/provisioning/dashboards/fraud.yml',
  ).providers;

  it('runs a pinned image, provisioned from ops/grafana, its data source the compose Prometheus', () => {
    expect(grafana.image).toMatch(/^grafana\/grafana:\d+\.\d+\.\d+$/);
    expect(bindOf(grafana, './ops/grafana/provisioning')?.target).toBe('/etc/grafana/provisioning');
    expect(datasources).toEqual([expect.objectContaining({ type: 'prometheus', url: 'http://prometheus:9090' })]);
    expect(compose.services.prometheus!.command).not.toContainEqual(expect.stringMatching(/^--web\.listen-address/));
    // The dashboards provider reads the folder compose mounts the repository's dashboards on.
    expect(providers).toEqual([expect.objectContaining({ type: 'file' })]);
    const dashboardsMount = bindOf(grafana, `./${DASHBOARDS}`);
    expect(dashboardsMount?.target).toBe(providers[0]!.options.path);
    const home = grafana.environment?.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH;
    expect(dashboards.map((d) => path.join(dashboardsMount!.target, d.file))).toContain(home);
  });

  it.each(dashboards.map((d) => [d.file, d] as const))(
    '%s: panels on the provisioned data source, each with queries of metrics the code declares',
    (_, { json }) => {
      expect(json.uid).toMatch(/^[a-z0-9-]+$/);
      expect(json.panels.length).toBeGreaterThan(0);
      const uid = datasources[0]!.uid;
      const names: string[] = [];
      for (const panel of json.panels) {
        expect({ panel: panel.title, datasource: panel.datasource }).toEqual({
          panel: panel.title,
          datasource: { type: 'prometheus', uid },
        });
        expect(panel.targets?.length).toBeGreaterThan(0);
        const refIds = panel.targets!.map((t) => t.refId);
        expect(new Set(refIds).size).toBe(refIds.length);
        for (const target of panel.targets!) {
          expect(target.datasource?.uid ?? uid).toBe(uid);
          expect(metricsIn(target.expr).length).toBeGreaterThan(0);
          names.push(...metricsIn(target.expr));
        }
      }
      for (const variable of json.templating?.list ?? []) {
        const query = typeof variable.query === 'string' ? variable.query : (variable.query?.query ?? '');
        names.push(...metricsIn(query));
      }
      expect(undeclared(names, declared)).toEqual([]);
    },
  );

  it('shows ingest, decisions by reason, the outbox, directive lag and CheckCall latency', () => {
    const panels = dashboards.flatMap((d) => d.json.panels);
    const reading = (metric: string): string[] =>
      panels.filter((p) => p.targets!.some((t) => metricsIn(t.expr).includes(metric))).map((p) => p.title);
    expect(reading('fraud_events_ingested_total')).toContain('Ingest rate');
    expect(reading('fraud_decisions_total')).toContain('Decisions by reason');
    expect(reading('fraud_outbox_pending')).toContain('Outbox backlog');
    expect(reading('fraud_directive_lag_seconds_bucket')).toContain('Directive lag');
    expect(reading('grpc_server_handling_seconds_bucket')).toContain('CheckCall latency');
    const checkCall = panels.find((p) => p.title === 'CheckCall latency')!;
    for (const target of checkCall.targets!) expect(target.expr).toContain('grpc_method="CheckCall"');
  });
});

/** A yaml block of the docs, or undefined when it is not YAML on its own (an excerpt with `...`). */
function parseOrNothing(text: string): unknown {
  try {
    return parse(text);
  } catch {
    return undefined;
  }
}

function bindOf(service: ComposeService, source: string): BindMount | undefined {
  return service.volumes?.find((v): v is BindMount => typeof v === 'object' && v.source === source);
}

function markdownUnder(dir: string): string[] {
  if (!existsSync(path.join(ROOT, dir))) return [];
  return readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.md'))
    .map((file) => path.join(dir, file));
}

function onPath(command: string): string | undefined {
  return (process.env.PATH ?? '')
    .split(path.delimiter)
    .map((dir) => path.join(dir, command))
    .find((file) => existsSync(file));
}
