import './register-aliases'; // must stay first: the modules below are compiled with @app/* specifiers
import { commandLine } from './cli-help';
import { parseArguments, runReplay, summary } from './replay-cli';

async function main(): Promise<void> {
  const args = commandLine(parseArguments);
  if (!args) return;
  const stats = await runReplay(args, (chunk) => process.stdout.write(chunk));
  process.stderr.write(`${summary(stats, args.policy)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`replay: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
