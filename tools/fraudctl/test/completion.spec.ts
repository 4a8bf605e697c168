import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMMANDS, ExitCode, run } from '../src/cli';

/** `fraudctl completion`: the scripts, generated from the command table, and bash completing with them. */
describe('fraudctl completion', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'fraudctl-completion-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const script = async (shell: string) => {
    let out = '';
    let err = '';
    const code = await run(['completion', shell], {
      stdout: { write: (t: string) => (out += t) },
      stderr: { write: (t: string) => (err += t) },
      env: { FRAUDCTL_CONFIG: join(dir, 'none.json'), DATA_DIR: dir },
    });
    return { code, out, err };
  };

  it('bash: a script bash accepts, completing command names, subcommands and each command’s options', async () => {
    const { code, out, err } = await script('bash');
    expect({ code, err }).toEqual({ code: ExitCode.Ok, err: '' });
    const file = join(dir, 'fraudctl.bash');
    writeFileSync(file, out);
    expect(spawnSync('bash', ['-n', file], { encoding: 'utf8' })).toMatchObject({ status: 0, stderr: '' });
    const complete = (...words: string[]) => {
      const array = words.map((w) => `'${w}'`).join(' ');
      const result = spawnSync(
        'bash',
        [
          '-c',
          `source '${file}'; COMP_WORDS=(fraudctl ${array}); COMP_CWORD=${words.length}; _fraudctl; ` +
            'printf "%s\\n" "${COMPREPLY[@]}"',
        ],
        { encoding: 'utf8' },
      );
      expect(result.stderr).toBe('');
      return result.stdout.split('\n').filter(Boolean).sort();
    };
    expect(complete('dir')).toEqual(['directives']);
    expect(complete('wh')).toEqual(['whoami']);
    expect(complete('')).toEqual([...COMMANDS.map((c) => c.name), 'help'].sort());
    expect(complete('cells', 'a')).toEqual(['add']);
    expect(complete('context', 's')).toEqual(['set', 'show']);
    expect(complete('cells', 'add', '--exp')).toEqual(['--expires-in-days']);
    expect(complete('directives', 'issue', '--ki')).toEqual(['--kind']);
    expect(complete('explain', '--la')).toEqual(['--lang']);
    expect(complete('check', '--js')).toEqual(['--json']);
  });

  it('zsh: a compdef script describing every command, with its subcommands and options', async () => {
    const { code, out } = await script('zsh');
    expect(code).toBe(ExitCode.Ok);
    expect(out.split('\n')[0]).toBe('#compdef fraudctl');
    for (const command of COMMANDS) expect(out).toContain(`'${command.name}:`);
    expect(out).toMatch(
      /^ {4}cells\) if \(\( CURRENT == 3 \)\) .*compadd -- list add remove; else compadd -- .*--reason/m,
    );
    expect(out).toContain('compdef _fraudctl fraudctl');
  });

  it('refuses a shell it does not know (exit 2)', async () => {
    const { code, err } = await script('fish');
    expect(code).toBe(ExitCode.Usage);
    expect(err).toContain('the shell must be one of bash, zsh, got "fish"');
  });
});
