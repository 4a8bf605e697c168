/** Plain-text output: aligned tables, China Standard Time, enum names without their prefix; and the --json form. */
import type { EnumCodec } from '@app/contracts/codecs';

export interface Writer {
  write(text: string): unknown;
}

/** Terminal columns of a text: Chinese characters and full-width punctuation take two. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text)
    width += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(char)
      ? 2
      : 1;
  return width;
}

/** padEnd by terminal columns, so that Chinese labels line up. */
export function padDisplay(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

/** Columns padded to their widest cell; the last column is not padded. */
export function table(headers: string[], rows: string[][], indent = ''): string[] {
  const widths = headers.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))));
  const line = (cells: string[]) =>
    `${indent}${cells.map((c, i) => (i === cells.length - 1 ? c : padDisplay(c, widths[i]))).join('  ')}`.trimEnd();
  return [line(headers), ...rows.map(line)];
}

/** `label  value` pairs, labels aligned. */
export function fields(pairs: [string, string][], indent = ''): string[] {
  const width = Math.max(...pairs.map(([label]) => displayWidth(label)));
  return pairs.map(([label, value]) => `${indent}${padDisplay(label, width)}  ${value}`.trimEnd());
}

/** The `replayed` row of a keyed write's answer: present only when the same --key was used before. */
export function replayedRow(replayed: boolean): [string, string][] {
  return replayed ? [['replayed', 'yes (same --key)']] : [];
}

/**
 * Words to lines of at most `width` characters (a longer word stays whole);
 * the first line is the caller's to prefix.
 */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  return line ? [...lines, line] : lines;
}

export interface WireTimestamp {
  seconds: number | string;
  nanos?: number;
}

const CST_OFFSET_MS = 8 * 3_600_000;

/** Milliseconds of a wire timestamp; undefined when absent. */
export function millisOf(ts: WireTimestamp | null | undefined): number | undefined {
  if (!ts) return undefined;
  return Number(ts.seconds) * 1000 + Math.floor(Number(ts.nanos ?? 0) / 1e6);
}

/** `2024-03-02 09:10:00 +08:00`: the province's time, with its offset so nobody mistakes it for UTC. */
export function formatTime(ts: WireTimestamp | number | null | undefined): string {
  const ms = typeof ts === 'number' ? ts : millisOf(ts);
  if (ms === undefined) return '-';
  return `${new Date(ms + CST_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ')} +08:00`;
}

/**
 * `ACTION_SUSPEND` -> `SUSPEND`, `NUMBER_STATUS_NOT_LISTED` -> `NOT_LISTED`
 * (by the enum's codec); unset or UNSPECIFIED shows as `-`.
 */
export function enumLabel(value: string | null | undefined, codec: Pick<EnumCodec<string, string>, 'name'>): string {
  return codec.name(value) || '-';
}

/** The wire object as JSON, timestamps as RFC 3339 strings (as protobuf's JSON mapping writes them). */
export function toJson(value: unknown): string {
  return JSON.stringify(jsonValue(value), null, 2);
}

function jsonValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(jsonValue);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (isTimestamp(value, entries)) return new Date(millisOf(value as WireTimestamp)!).toISOString();
  return Object.fromEntries(entries.map(([k, v]) => [k, jsonValue(v)]));
}

function isTimestamp(value: object, entries: [string, unknown][]): boolean {
  return entries.length === 2 && 'seconds' in value && 'nanos' in value;
}
