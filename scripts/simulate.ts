import './register-aliases'; // must stay first: the modules below are compiled with @app/* specifiers
import { HelpRequested } from './cli-help';
import { parseSimulateArguments, runSimulate, UsageError } from './simulate-cli';

/** `npm run simulate -- …`: a synthetic population to a file (with ground truth) or into the running carriers. */
async function main(): Promise<void> {
  const args = parseSimulateArguments(process.argv.slice(2));
  const result = await runSimulate(args, process.stderr);
  if (args.json) process.stdout.write(`${JSON.stringify(result.carriers, null, 2)}\n`);
  // A carrier unreachable, or turning most events away, fails the run (the summary said why).
  if ((result.failures ?? []).length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  if (error instanceof HelpRequested) return void process.stdout.write(`${error.message}\n`);
  process.stderr.write(`simulate: ${(error as Error).message}\n`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
});
