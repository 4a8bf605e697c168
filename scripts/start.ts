import './register-aliases'; // must stay first: the modules below are compiled with @app/* specifiers
import path from 'node:path';
import { Launcher } from './launcher/launcher';

new Launcher({
  distRoot: path.resolve(__dirname, '..'),
  env: process.env,
  print: (line) => process.stdout.write(`${line}\n`),
})
  .run()
  .then((status) => process.exit(status));
