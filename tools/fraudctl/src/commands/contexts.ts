import { resolve } from 'node:path';
import { CARRIER_IDS } from '@app/domain';
import { defaultSubcommandOnly, positionals, stringOption, subcommand, type Command, type Parsed } from '../command';
import { parseCarrierId, roleOfToken, type Context } from '../context';
import { UsageError } from '../errors';
import { fields, table } from '../output';
import { configPath, readConfig, writeConfig, type ContextEntry } from '../settings';

const SUBCOMMANDS = ['list', 'show', 'use', 'set', 'delete'] as const;
const NAME = /^[A-Za-z0-9][\w.-]{0,62}$/;

export const contextCommand: Command = {
  name: 'context',
  subcommands: SUBCOMMANDS,
  summary: 'saved contexts (addresses, TLS files, keys or token): list, show, use, set, delete',
  help: [
    'usage: fraudctl context [list]',
    '       fraudctl context show [NAME]',
    '       fraudctl context use NAME',
    '       fraudctl context set NAME [--registry H:P] [--admin H:P] [--carrier ID=H:P]... [--tls-ca FILE]',
    '                                 [--tls-cert FILE --tls-key FILE] [--key-dir DIR] [--token TOKEN] [--use]',
    '       fraudctl context delete NAME',
    '',
    'Contexts, as kubectl has them, live in $FRAUDCTL_CONFIG, else',
    '~/.config/fraudctl/config.json (mode 0600). `set` creates a context or changes',
    'the settings given; `use` makes it current. Every command then takes its',
    'settings from, highest first: flags, environment variables, the current context',
    "(or --context NAME), the running stack's .data/stack.json (written by npm start",
    'in $DATA_DIR), built-in defaults.',
    '',
    'Options of set:',
    '  --registry H:P, --admin H:P   the registry and admin addresses',
    `  --carrier ID=H:P       a carrier's address (${CARRIER_IDS.join(', ')}); repeat per carrier`,
    '  --tls-ca, --tls-cert, --tls-key FILE   TLS files (kept as absolute paths)',
    '  --key-dir DIR          a directory with token-signing.key to mint tokens from',
    '  --token TOKEN          a bearer token, used for the calls of its role',
    '  --use                  make it the current context too',
  ],
  options: {
    carrier: { type: 'string', multiple: true },
    'key-dir': { type: 'string' },
    use: { type: 'boolean' },
  },
  run(ctx, args) {
    const sub = subcommand(args, SUBCOMMANDS, 'context');
    const env = ctx.processEnv;
    const config = readConfig(env);
    switch (sub) {
      case 'list': {
        defaultSubcommandOnly(args, 'list', 'context');
        const names = Object.keys(config.contexts).sort();
        if (ctx.json) {
          ctx.printJson({
            file: configPath(env),
            current: config.currentContext ?? null,
            contexts: names.map((name) => ({ name, ...redacted(config.contexts[name]) })),
          });
          break;
        }
        if (names.length === 0) {
          ctx.print(`No contexts in ${configPath(env)}: fraudctl context set NAME --registry H:P ...`);
          break;
        }
        ctx.print(
          table(
            ['CURRENT', 'NAME', 'REGISTRY', 'ADMIN', 'CARRIERS', 'TLS', 'AUTH'],
            names.map((name) => {
              const c = config.contexts[name];
              const carriers = Object.keys(c.addresses ?? {})
                .filter((v) => v.startsWith('CARRIER_'))
                .map((v) => v.slice('CARRIER_'.length, -'_ADDRESS'.length));
              return [
                name === config.currentContext ? '*' : '',
                name,
                c.addresses?.REGISTRY_ADDRESS ?? '-',
                c.addresses?.ADMIN_ADDRESS ?? '-',
                carriers.join(',') || '-',
                c.tlsCa ? 'yes' : 'no',
                auth(c),
              ];
            }),
          ),
        );
        break;
      }
      case 'show': {
        const [, given] = args.positionals.length > 1 ? positionals(args, ['show', 'NAME'], 'context') : [];
        const name = given ?? config.currentContext;
        if (name === undefined) throw new UsageError('no current context: name one, or fraudctl context use NAME');
        const entry = existing(config.contexts, name, env);
        if (ctx.json) {
          ctx.printJson({ name, current: name === config.currentContext, ...redacted(entry) });
          break;
        }
        ctx.print(
          fields([
            ['name', `${name}${name === config.currentContext ? ' (current)' : ''}`],
            ...Object.entries(entry.addresses ?? {}).map(([v, a]) => [v, a] as [string, string]),
            ['tls ca', entry.tlsCa ?? '-'],
            ['tls cert', entry.tlsCert ?? '-'],
            ['tls key', entry.tlsKey ?? '-'],
            ['key dir', entry.keyDir ?? '-'],
            ['token', entry.token === undefined ? '-' : `${roleOfToken(entry.token) ?? 'a'} token (hidden)`],
          ]),
        );
        break;
      }
      case 'use': {
        const [, name] = positionals(args, ['use', 'NAME'], 'context');
        existing(config.contexts, name, env);
        writeConfig(env, { ...config, currentContext: name });
        say(ctx, { current: name }, `Switched to context "${name}".`);
        break;
      }
      case 'delete': {
        const [, name] = positionals(args, ['delete', 'NAME'], 'context');
        existing(config.contexts, name, env);
        const { [name]: _deleted, ...rest } = config.contexts;
        const current = config.currentContext === name ? undefined : config.currentContext;
        writeConfig(env, { currentContext: current, contexts: rest });
        say(ctx, { deleted: name, current: current ?? null }, `Deleted context "${name}".`);
        break;
      }
      case 'set': {
        const [, name] = positionals(args, ['set', 'NAME'], 'context');
        if (!NAME.test(name))
          throw new UsageError(`a context name is letters, digits, ".", "_" or "-", got "${name}"`, 'context');
        const entry = changed(config.contexts[name] ?? {}, args, ctx);
        const use = args.values.use === true;
        const file = writeConfig(env, {
          currentContext: use ? name : config.currentContext,
          contexts: { ...config.contexts, [name]: entry },
        });
        say(
          ctx,
          { name, current: use, ...redacted(entry) },
          `Context "${name}" saved in ${file}${use ? ', now current' : ''}.`,
        );
        break;
      }
    }
    return Promise.resolve();
  },
};

function existing(contexts: Record<string, ContextEntry>, name: string, env: Context['processEnv']): ContextEntry {
  const entry = contexts[name];
  if (entry === undefined)
    throw new UsageError(
      `no context "${name}" in ${configPath(env)} (known: ${Object.keys(contexts).join(', ') || 'none'})`,
      'context',
    );
  return entry;
}

/** The context with the settings given on the command line changed. */
function changed(entry: ContextEntry, args: Parsed, ctx: Context): ContextEntry {
  const addresses = { ...entry.addresses };
  const value = (name: string) => stringOption(args.values, name);
  const file = (name: string) => (value(name) === undefined ? undefined : resolve(value(name)!));
  if (value('registry') !== undefined) addresses.REGISTRY_ADDRESS = address(value('registry')!, '--registry');
  if (value('admin') !== undefined) addresses.ADMIN_ADDRESS = address(value('admin')!, '--admin');
  for (const pair of (args.values.carrier as string[] | undefined) ?? []) {
    const [id, at] = pair.split(/=(.*)/s);
    if (at === undefined) throw new UsageError(`--carrier takes ID=HOST:PORT, got "${pair}"`, 'context');
    addresses[`CARRIER_${parseCarrierId(id, '--carrier', 'context')}_ADDRESS`] = address(at, '--carrier');
  }
  const next: ContextEntry = {
    ...entry,
    ...(Object.keys(addresses).length > 0 ? { addresses } : {}),
    ...definedOnly({
      tlsCa: file('tls-ca'),
      tlsCert: file('tls-cert'),
      tlsKey: file('tls-key'),
      keyDir: file('key-dir'),
      token: value('token'),
    }),
  };
  if ((next.tlsCert === undefined) !== (next.tlsKey === undefined))
    throw new UsageError('--tls-cert and --tls-key go together', 'context');
  ctx.note(`context settings: ${Object.keys(next).join(', ')}`);
  return next;
}

function address(text: string, flag: string): string {
  if (!/^[^\s:]+:\d{1,5}$/.test(text) && !/^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(text))
    throw new UsageError(`${flag} takes HOST:PORT, got "${text}"`, 'context');
  return text;
}

function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A context for printing: its token is never shown, only its role. */
function redacted(entry: ContextEntry): Omit<ContextEntry, 'token'> & { token?: string } {
  const { token, ...rest } = entry;
  return token === undefined ? rest : { ...rest, token: `${roleOfToken(token) ?? 'unknown role'} token (hidden)` };
}

function auth(entry: ContextEntry): string {
  if (entry.token !== undefined) return `token (${roleOfToken(entry.token) ?? '?'})`;
  return entry.keyDir !== undefined ? 'key dir' : '-';
}

function say(ctx: Context, json: unknown, text: string): void {
  if (ctx.json) ctx.printJson(json);
  else ctx.print(text);
}
