import './register-aliases'; // must stay first: the modules below are compiled with @app/* specifiers
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { chartHtml, DEFAULT_QUALITY_OPTIONS, formatTable, markdownTable, runQuality } from './bench-quality-core';

/**
 * How many innocents each policy cuts off and how fast it catches fraud: one
 * simulated population (BENCH_SUBSCRIBERS, BENCH_DAYS, fixed seed) fed once to
 * one engine per policy (naive, default@2 to default@5), the benchmark's police
 * clearing every honest number a ladder restricts four hours later. Prints a
 * table, writes the figures as JSON (BENCH_OUT, default .data/bench/quality.json) and a chart beside it (.html).
 */
function main(): void {
  const started = performance.now();
  const options = {
    ...DEFAULT_QUALITY_OPTIONS,
    subscribers: Number(process.env.BENCH_SUBSCRIBERS ?? DEFAULT_QUALITY_OPTIONS.subscribers),
    days: Number(process.env.BENCH_DAYS ?? DEFAULT_QUALITY_OPTIONS.days),
  };
  if (!(options.subscribers >= 1 && options.days >= 1))
    throw new Error('BENCH_SUBSCRIBERS and BENCH_DAYS must be numbers ≥ 1');
  const out = path.resolve(
    process.env.BENCH_OUT ?? path.join(process.env.DATA_DIR ?? '.data', 'bench', 'quality.json'),
  );
  const html = out.replace(/\.json$/, '') + '.html';
  const machine = `${cpus().length} × ${cpus()[0]?.model?.trim() ?? 'cpu'}, Node ${process.version}`;
  const date = new Date().toISOString().slice(0, 10);

  const report = runQuality(options);
  const seconds = (performance.now() - started) / 1000;
  const p = report.population;
  console.log(
    `${p.subscribers.toLocaleString('en')} subscribers over ${p.days} days, seed ${p.seed}: ` +
      `${p.events.toLocaleString('en')} events, ${p.heavy} honest heavy callers, ` +
      `${p.fraud} fraud numbers (${p.probers} threshold probers), ${p.falseReportVictims} false-report victims`,
  );
  console.log(
    `${machine}; simulated in ${report.seconds.simulate.toFixed(1)} s, ` +
      `analysed by every policy in ${report.seconds.analyse.toFixed(1)} s\n`,
  );
  console.log(formatTable(report));
  if (process.env.BENCH_MARKDOWN) console.log(`\n${markdownTable(report)}`);

  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify({ date, machine, ...report, seconds: { ...report.seconds, total: seconds } }, null, 2)}\n`,
  );
  writeFileSync(html, chartHtml(report, { date, machine }));
  console.log(`\n${out}\n${html}\n(${seconds.toFixed(1)} s in all)`);
}

try {
  main();
} catch (error: unknown) {
  console.error(`bench:quality: ${(error as Error).message}`);
  process.exitCode = 1;
}
