import './register-aliases'; // must stay first: the modules below are compiled with @app/* specifiers
import { migrateAll } from './migrate-all';

migrateAll().catch((error: unknown) => {
  console.error(`migrate: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
