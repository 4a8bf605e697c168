import '../../../scripts/register-aliases'; // must stay first: the modules below are compiled with @app/* specifiers
import { run } from './cli';

/** The compiled entry point (bin/fraudctl.js loads it): the process's arguments, streams and environment. */
void run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then((code) => {
  process.exitCode = code;
});
