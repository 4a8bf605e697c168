/** The benchmark's figures, their targets and the printed table: pure, unit-tested in bench.spec.ts. */

/** `ratio`: value / reference must be at least `at`; `min`/`max`: the value itself, in its unit. */
export type Target = { kind: 'ratio'; at: number } | { kind: 'min'; at: number } | { kind: 'max'; at: number };

export interface Figure {
  /** `a`…`e`, as in docs/benchmarks.md. */
  id: string;
  name: string;
  value: number;
  unit: string;
  /** What the value is compared with (the raw gRPC limit), same unit. */
  reference?: number;
  target?: Target;
  /** How the value was obtained, printed under the table. */
  note?: string;
}

export interface Evaluated extends Figure {
  ratio?: number;
  met?: boolean;
}

export function evaluate(figure: Figure): Evaluated {
  const ratio =
    figure.reference !== undefined && figure.reference > 0 && Number.isFinite(figure.value)
      ? figure.value / figure.reference
      : undefined;
  const { target } = figure;
  let met: boolean | undefined;
  if (target?.kind === 'ratio') met = ratio !== undefined && ratio >= target.at;
  else if (target?.kind === 'min') met = Number.isFinite(figure.value) && figure.value >= target.at;
  else if (target?.kind === 'max') met = Number.isFinite(figure.value) && figure.value < target.at;
  return { ...figure, ...(ratio === undefined ? {} : { ratio }), ...(met === undefined ? {} : { met }) };
}

/** 1,234,567 for big values, 3 significant digits for small ones. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en');
  return Number(value.toPrecision(3)).toString();
}

export function describeTarget(target: Target | undefined, unit: string): string {
  if (!target) return '';
  if (target.kind === 'ratio') return `ratio ≥ ${target.at}`;
  if (target.kind === 'min') return `≥ ${formatNumber(target.at)} ${unit}`;
  return `< ${formatNumber(target.at)} ${unit}`;
}

/** A plain-text table: figure, value, reference, ratio, target, met/missed. */
export function formatTable(figures: readonly Evaluated[]): string[] {
  const header = ['figure', 'value', 'reference', 'ratio', 'target', 'result'];
  const rows = figures.map((f) => [
    `(${f.id}) ${f.name}`,
    `${formatNumber(f.value)} ${f.unit}`,
    f.reference === undefined ? '' : `${formatNumber(f.reference)} ${f.unit}`,
    f.ratio === undefined ? '' : f.ratio.toFixed(2),
    describeTarget(f.target, f.unit),
    f.met === undefined ? '' : f.met ? 'met' : 'MISSED',
  ]);
  return textTable(header, rows, (i) => i > 0 && i < 4);
}

/** Columns padded to their widest cell (right-aligned where `right(i)`), a rule under the header. */
export function textTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  right: (column: number) => boolean,
): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (right(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}
