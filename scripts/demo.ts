import './register-aliases'; // must stay first: the modules below are compiled with @app/* specifiers
import path from 'node:path';
import { demoArguments } from './demo-plan';
import { Launcher } from './launcher/launcher';
import { playLiveScene } from './demo-live';
import { runSimulate } from './simulate-cli';

/**
 * `npm run demo`: `npm start`, then a simulated population streamed into the
 * carriers, so the dashboard has live data within a minute; then the live
 * scene (demo-live.ts): a crew at a freshly listed high-risk cell, suspended for its activity there an hour later.
 */
new Launcher({
  distRoot: path.resolve(__dirname, '..'),
  env: process.env,
  print: (line) => process.stdout.write(`${line}\n`),
  whenServing: async (services, env) => {
    const args = demoArguments(services, env, new Date());
    process.stdout.write(
      `demo: streaming ${args.subscribers} subscribers over ${args.days} days ` +
        `into ${Object.keys(args.carriers ?? {}).join(', ')}\n`,
    );
    const { failures = [] } = await runSimulate(args, process.stderr, env);
    // The history is only the backdrop: the live scene still plays, on the wall clock.
    if (failures.length > 0) process.stdout.write(`demo: some history was not taken (${failures.join('; ')})\n`);
    else process.stdout.write('demo: traffic sent; the carriers report to the administration: open the dashboard\n');
    await playLiveScene(services, env, (line) => process.stdout.write(`demo: ${line}\n`));
  },
})
  .run()
  .then((status) => process.exit(status));
