import { randomUUID } from 'node:crypto';
import { stringOption, type Command, type Values } from './command';

const KEY_HELP =
  '  --key KEY              idempotency key: repeat it to retry the same change safely (default: a fresh one)';
export const DRY_RUN_HELP =
  '  --dry-run              check the input and print the request it would send, without sending it ' +
  '(look-ups such as the owner still run)';

/**
 * A command that changes state, safe to retry with the same --key: its options
 * gain --key and --dry-run (see Context.dryRun) and its help ends with the lines saying so. Its run reads the key
 * with idempotencyKey.
 */
export function changesState(command: Command): Command {
  return {
    ...command,
    help: [...command.help, KEY_HELP, DRY_RUN_HELP],
    options: { ...command.options, key: { type: 'string' }, 'dry-run': { type: 'boolean' } },
  };
}

/** The idempotency key of a state change: --key to retry one safely, else a fresh one. */
export function idempotencyKey(values: Values): string {
  return stringOption(values, 'key') ?? `fraudctl-${randomUUID()}`;
}
