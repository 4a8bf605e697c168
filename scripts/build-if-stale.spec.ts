import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- a plain CommonJS file, run before any build
const stale = require('./build-if-stale.cjs') as {
  STAMP: string;
  staleReason: (root: string) => string | null;
  newestSourceMtime: (root: string) => number;
  build: (root: string) => number;
};

describe('build-if-stale', () => {
  let root: string;
  const at = (file: string, seconds: number, text = ''): void => {
    const full = path.join(root, file);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, text);
    utimesSync(full, seconds, seconds);
  };

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'build-if-stale-'));
    at('package.json', 1_000, '{}');
    at('tsconfig.json', 1_000, '{}');
    at('tsconfig.build.json', 1_000, '{}');
    at('apps/registry/src/main.ts', 1_000);
    at('libs/domain/src/index.ts', 1_000);
    at('tools/fraudctl/src/cli.ts', 1_000);
    at('scripts/start.ts', 1_000);
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('builds when there is no stamp yet', () => {
    expect(stale.staleReason(root)).toBe('no build yet');
  });

  it('does not build when the stamp is newer than every source', () => {
    at(stale.STAMP, 2_000);
    expect(stale.staleReason(root)).toBeNull();
  });

  it.each([
    'apps/registry/src/main.ts',
    'libs/domain/src/new-rule.ts',
    'scripts/launcher/plan.ts',
    'tools/fraudctl/src/cli.ts',
    'tsconfig.build.json',
    'package.json',
  ])('builds when %s is newer than the stamp', (file) => {
    at(stale.STAMP, 2_000);
    at(file, 3_000);
    expect(stale.staleReason(root)).toBe('sources changed');
  });

  it('ignores what the build does not read: dist/, node_modules/, .data/, tests and non-.ts files', () => {
    at(stale.STAMP, 2_000);
    at('dist/apps/registry/src/main.js', 3_000);
    at('apps/admin/node_modules/x/index.ts', 3_000);
    at('scripts/.data/pg/x.ts', 3_000);
    at('apps/admin/dashboard/app.js', 3_000);
    at('README.md', 3_000);
    at('scripts/launcher/plan.spec.ts', 3_000);
    at('apps/registry/test/registry.e2e-spec.ts', 3_000);
    expect(stale.newestSourceMtime(root)).toBe(1_000_000);
    expect(stale.staleReason(root)).toBeNull();
  });

  it('builds a real one-file tree with tsc, stamps it, and is stale again once a source changes', () => {
    const tsconfig = {
      compilerOptions: { outDir: 'dist', rootDir: '.', types: [], skipLibCheck: true },
      files: ['scripts/start.ts'],
    };
    at('tsconfig.build.json', 1_000, JSON.stringify(tsconfig));
    at('scripts/start.ts', 1_000, 'export const started = true;\n');
    mkdirSync(path.join(root, 'node_modules'));
    symlinkSync(
      path.resolve(__dirname, '..', 'node_modules', 'typescript'),
      path.join(root, 'node_modules', 'typescript'),
    );
    const before = Date.now();

    expect(stale.build(root)).toBe(0);
    expect(readFileSync(path.join(root, 'dist', 'scripts', 'start.js'), 'utf8')).toContain('started = true');
    expect(Date.parse(readFileSync(path.join(root, stale.STAMP), 'utf8').trim())).toBeGreaterThanOrEqual(
      before - 1_000,
    );
    expect(stale.staleReason(root)).toBeNull();

    at('scripts/start.ts', Date.now() / 1000 + 5, 'export const started = false;\n');
    expect(stale.staleReason(root)).toBe('sources changed');
  });
});
