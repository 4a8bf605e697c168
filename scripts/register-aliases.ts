/**
 * tsc leaves `@app/<lib>` specifiers in the compiled scripts (only `nest
 * build` rewrites them), so map them at run time exactly as tsconfig "paths"
 * do: `@app/<lib>[/sub]` -> `<dist>/libs/<lib>/src[/sub]`.
 * Import this first in every script entry point.
 */
import Module from 'node:module';
import path from 'node:path';

const ALIAS = /^@app\/([a-z]+)(\/.*)?$/;
const REGISTERED = Symbol.for('fraud.pathAliases');

type ResolveFilename = (request: string, ...rest: unknown[]) => string;
const loader = Module as unknown as { _resolveFilename: ResolveFilename; [REGISTERED]?: boolean };

export function registerPathAliases(root: string): void {
  if (loader[REGISTERED]) return;
  loader[REGISTERED] = true;
  const resolveFilename = loader._resolveFilename;
  loader._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
    const alias = ALIAS.exec(request);
    const target = alias ? path.join(root, 'libs', alias[1], 'src', alias[2] ?? '') : request;
    return resolveFilename.call(this, target, ...rest);
  };
}

registerPathAliases(path.resolve(__dirname, '..'));
