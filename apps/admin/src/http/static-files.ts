import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The dashboard's folder, `apps/admin/dashboard`, found by walking up from this
 * file: the same answer from `apps/admin/src/http` (jest) and
 * `dist/apps/admin/src/http` (build). Undefined when it is not shipped.
 */
export function dashboardDir(start = __dirname): string | undefined {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    const candidate = join(dir, 'apps', 'admin', 'dashboard');
    if (existsSync(candidate) && statSync(candidate).isDirectory()) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/** Chart.js's self-contained browser build, served to the dashboard from here (no CDN). */
export function chartJsFile(): string {
  // The package's exports name no dist/ file: its main entry sits in dist/ beside the UMD build.
  return join(dirname(require.resolve('chart.js')), 'chart.umd.min.js');
}

export const CHART_JS_PATH = '/vendor/chart.umd.min.js';
