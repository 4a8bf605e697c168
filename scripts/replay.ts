import './register-aliases'; // must stay first: the modules below are compiled with @app/* specifiers
import { HelpRequested } from './cli-help';
import { parseArguments, runReplay, summary } from './replay-cli';

async function main(): Promise<void> {
  let args;
  try {
    args = parseArguments(process.argv.slice(2));
  } catch (error) {
    if (error instanceof HelpRequested) return void process.stdout.write(`${error.message}\n`);
    process.stderr.write(`${(error as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  const stats = await runReplay(args, (chunk) => process.stdout.write(chunk));
  process.stderr.write(`${summary(stats, args.policy)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`replay: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
