/**
 * The offline re-shard of a stopped carrier (docs/operations.md#re-sharding-a-carrier):
 *
 *   npm run reshard -- --carrier CTCC --to 2
 */
import './register-aliases'; // must stay first: the modules below are compiled with @app/* specifiers
import { commandLine } from './cli-help';
import { parseArguments, runReshard } from './reshard-cli';

async function main(): Promise<void> {
  const args = commandLine(parseArguments, 'reshard: ');
  if (!args) return;
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
