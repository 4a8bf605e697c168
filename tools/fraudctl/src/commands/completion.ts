import { choice, positionals, type Command, type OptionSpec } from '../command';
import { GLOBAL_OPTIONS } from '../context';

const SHELLS = ['bash', 'zsh'] as const;

/**
 * `fraudctl completion bash|zsh`: a completion script generated from the command table (names, subcommands,
 * options), so a new command or flag completes without touching this file. Takes the table lazily: it is in it.
 */
export function completionCommand(commands: () => readonly Command[]): Command {
  return {
    name: 'completion',
    summary: 'a bash or zsh script completing commands, subcommands and options',
    help: [
      'usage: fraudctl completion bash|zsh',
      '',
      'Prints a shell completion script. Load it in the current shell, or for good:',
      '  source <(npx fraudctl completion bash)        # bash; or add to ~/.bashrc',
      '  source <(npx fraudctl completion zsh)         # zsh; or add to ~/.zshrc',
    ],
    options: {},
    run(ctx, args) {
      const [text] = positionals(args, ['shell'], 'completion');
      const shell = choice(text, SHELLS, 'the shell', 'completion');
      const table = commands().map((c) => ({
        name: c.name,
        summary: c.summary,
        subcommands: c.subcommands ?? [],
        flags: flagsOf({ ...GLOBAL_OPTIONS, ...c.options }),
      }));
      ctx.print(shell === 'bash' ? bashScript(table) : zshScript(table));
      return Promise.resolve();
    },
  };
}

interface Entry {
  name: string;
  summary: string;
  subcommands: readonly string[];
  flags: string[];
}

function flagsOf(options: Record<string, OptionSpec>): string[] {
  return Object.entries(options).flatMap(([name, spec]) => [`--${name}`, ...(spec.short ? [`-${spec.short}`] : [])]);
}

function bashScript(table: Entry[]): string[] {
  return [
    '# fraudctl completion for bash: source <(fraudctl completion bash)',
    '_fraudctl() {',
    '  local cur="${COMP_WORDS[COMP_CWORD]}" words=""',
    '  if [ "$COMP_CWORD" -le 1 ]; then',
    `    COMPREPLY=($(compgen -W "${table.map((c) => c.name).join(' ')} help" -- "$cur"))`,
    '    return',
    '  fi',
    '  case "${COMP_WORDS[1]}" in',
    ...table.map((c) => {
      const subs = c.subcommands.length > 0 ? `[ "$COMP_CWORD" -eq 2 ] && [[ "$cur" != -* ]] && ` : '';
      const words = subs ? `${subs}words="${c.subcommands.join(' ')}" || words="${c.flags.join(' ')}"` : '';
      return `    ${c.name}) ${words || `words="${c.flags.join(' ')}"`} ;;`;
    }),
    '  esac',
    '  COMPREPLY=($(compgen -W "$words" -- "$cur"))',
    '}',
    'complete -o default -F _fraudctl fraudctl',
  ];
}

function zshScript(table: Entry[]): string[] {
  const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
  return [
    '#compdef fraudctl',
    '# fraudctl completion for zsh: source <(fraudctl completion zsh)',
    '_fraudctl() {',
    '  local -a commands',
    `  commands=(${table.map((c) => quote(`${c.name}:${c.summary.replace(/:/g, '\\:')}`)).join(' ')})`,
    '  if (( CURRENT == 2 )); then',
    "    _describe 'command' commands",
    '    return',
    '  fi',
    '  case $words[2] in',
    ...table.map((c) => {
      const flags = `compadd -- ${c.flags.join(' ')}`;
      return c.subcommands.length > 0
        ? `    ${c.name}) if (( CURRENT == 3 )) && [[ $PREFIX != -* ]]; then compadd -- ${c.subcommands.join(' ')}; ` +
            `else ${flags}; fi ;;`
        : `    ${c.name}) ${flags} ;;`;
    }),
    '  esac',
    '}',
    'if (( $+functions[compdef] )); then compdef _fraudctl fraudctl; fi',
  ];
}
