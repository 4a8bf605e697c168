import './register-aliases'; // must stay first: the modules below are compiled with @app/* specifiers
import path from 'node:path';
import { runBench } from './bench/bench-run';

/** `npm run bench`: the speed benchmark (docs/benchmarks.md, "Speed benchmark"). */
runBench(path.resolve(__dirname, '..'), process.env, (line) => process.stdout.write(`${line}\n`))
  .then((status) => process.exit(status))
  .catch((error: unknown) => {
    console.error(`bench: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  });
