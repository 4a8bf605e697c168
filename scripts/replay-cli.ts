import { createReadStream, readFileSync } from 'node:fs';
import {
  BUILT_IN_POLICIES,
  decisionLine,
  demotionLine,
  EventFileLines,
  Replayer,
  validatePolicy,
  ValidationError,
  type PolicyDocument,
  type ReplayStats,
} from '@app/domain';
import { HelpRequested } from './cli-help';

export const USAGE =
  'usage: npm run --silent replay -- FILE [--policy default|naive|PATH] [--shadow default|naive|PATH]';

export interface ReplayArguments {
  file: string;
  policy: PolicyDocument;
  shadow?: PolicyDocument;
}

/** A built-in policy by name, or a policy document (JSON) by path. */
export function loadPolicy(spec: string): PolicyDocument {
  const builtIn = BUILT_IN_POLICIES[spec];
  if (builtIn) return builtIn;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(spec, 'utf8'));
  } catch (error) {
    throw new Error(
      `--policy ${spec}: not a built-in policy (${Object.keys(BUILT_IN_POLICIES).join(', ')}) ` +
        `nor a readable JSON file (${(error as Error).message})`,
      { cause: error },
    );
  }
  try {
    return validatePolicy(raw);
  } catch (error) {
    if (error instanceof ValidationError) throw new Error(`--policy ${spec}: ${error.message}`, { cause: error });
    throw error;
  }
}

export function parseArguments(argv: string[]): ReplayArguments {
  let file: string | undefined;
  let policy = BUILT_IN_POLICIES.default;
  let shadow: PolicyDocument | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--policy' || arg === '--shadow') {
      const value = argv[++i];
      if (!value) throw new Error(`${arg} needs a value\n${USAGE}`);
      if (arg === '--policy') policy = loadPolicy(value);
      else shadow = loadPolicy(value);
    } else if (arg.startsWith('-')) {
      if (arg === '--help' || arg === '-h') throw new HelpRequested(USAGE);
      throw new Error(`unknown option ${arg}\n${USAGE}`);
    } else if (file === undefined) {
      file = arg;
    } else {
      throw new Error(`one event file only\n${USAGE}`);
    }
  }
  if (!file) throw new Error(`an event file is required\n${USAGE}`);
  return { file, policy, shadow };
}

/** Streams the file through the engine and writes one decision per line; returns the stats. */
export async function runReplay(
  args: ReplayArguments,
  write: (chunk: string) => void,
): Promise<ReplayStats & { seconds: number }> {
  const replayer = new Replayer({ policy: args.policy, shadow: args.shadow });
  const started = process.hrtime.bigint();
  let out: string[] = [];
  const lines = new EventFileLines((bytes, start, end) => {
    for (const decision of replayer.feedLine(bytes, start, end)) out.push(decisionLine(decision));
    for (const demotion of replayer.demotions) out.push(demotionLine(demotion));
    if (out.length >= 1000) {
      write(`${out.join('\n')}\n`);
      out = [];
    }
  });
  // Bytes, not text: most lines become events without being decoded (EventFileLines, readEventLine).
  for await (const chunk of createReadStream(args.file)) lines.push(chunk as Buffer);
  lines.end();
  if (out.length > 0) write(`${out.join('\n')}\n`);
  return { ...replayer.stats, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

/** The summary for stderr: counts, throughput, and every rejected line with why. */
export function summary(stats: ReplayStats & { seconds: number }, policy: PolicyDocument): string {
  const rate = stats.seconds > 0 ? Math.round(stats.events / stats.seconds) : stats.events;
  const actions =
    Object.entries(stats.byAction)
      .map(([action, n]) => `${action} ${n}`)
      .join(', ') || 'none';
  const lines = [
    `replay: ${stats.events} events from ${stats.lines} lines in ${stats.seconds.toFixed(2)} s (${rate} events/s), ` +
      `policy ${policy.name}@${policy.version}`,
    `replay: ${stats.decisions} decisions: ${actions}`,
  ];
  if (stats.demotions > 0) lines.push(`replay: ${stats.demotions} rules demoted by the error budget`);
  if (stats.outOfOrder > 0)
    lines.push(`replay: ${stats.outOfOrder} events out of time order (applied where they stand)`);
  if (stats.rejected.length > 0) {
    lines.push(`replay: ${stats.rejected.length} lines skipped:`);
    for (const r of stats.rejected.slice(0, 100))
      lines.push(`  line ${r.line}: ${r.field ? `${r.field}: ` : ''}${r.reason}`);
    if (stats.rejected.length > 100) lines.push(`  … and ${stats.rejected.length - 100} more`);
  }
  return lines.join('\n');
}
