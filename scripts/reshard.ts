/**
 * The offline re-shard of a stopped carrier (docs/operations.md#re-sharding-a-carrier):
 *
 *   npm run reshard -- --carrier CTCC --to 2
 */
import './register-aliases'; // must stay first: the modules below are compiled with @app/* specifiers
import { HelpRequested } from './cli-help';
import { parseArguments, runReshard } from './reshard-cli';

async function main(): Promise<void> {
  let args;
  try {
    args = parseArguments(process.argv.slice(2));
  } catch (error) {
    if (error instanceof HelpRequested) return void process.stdout.write(`${error.message}\n`);
    process.stderr.write(`reshard: ${(error as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  process.exitCode = await runReshard(
    args,
    process.env,
    (line) => process.stdout.write(`${line}\n`),
    (line) => process.stderr.write(`${line}\n`),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`reshard: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
