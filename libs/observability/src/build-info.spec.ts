import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sampleOf } from '@app/testing';
import { readBuildInfo, recordBuildInfo } from './build-info';
import { Metrics } from './metrics';

describe(readBuildInfo.name, () => {
  let outsideGit: string;

  beforeAll(() => {
    // A package outside any repository, as in the image: dist/ below a package.json, no .git.
    outsideGit = mkdtempSync(path.join(tmpdir(), 'build-info-'));
    writeFileSync(path.join(outsideGit, 'package.json'), JSON.stringify({ name: 'x', version: '3.2.1' }));
    mkdirSync(path.join(outsideGit, 'dist', 'libs'), { recursive: true });
  });
  afterAll(() => rmSync(outsideGit, { recursive: true, force: true }));

  it('reads the version from the nearest package.json and the commit from the checkout', () => {
    const info = readBuildInfo({}, __dirname);
    expect(info.version).toBe('0.1.0');
    expect(info.commit).toMatch(/^[0-9a-f]{12}$/);
    expect(info.node).toBe(process.version);
  });

  it('takes the image’s FRAUD_BUILD_COMMIT first, and says unknown without it or a repository', () => {
    const dist = path.join(outsideGit, 'dist', 'libs');
    expect(readBuildInfo({ FRAUD_BUILD_COMMIT: 'abc1234def56' }, dist)).toMatchObject({
      version: '3.2.1',
      commit: 'abc1234def56',
    });
    expect(readBuildInfo({}, dist)).toMatchObject({
      version: '3.2.1',
      commit: 'unknown',
    });
  });
});

describe(recordBuildInfo.name, () => {
  it('exposes one fraud_build_info series = 1 with the service, version, commit and node labels', async () => {
    const metrics = new Metrics('admin');
    recordBuildInfo(metrics, { version: '0.1.0', commit: 'unknown', node: 'v22.0.0' });
    const text = await metrics.exposition();
    expect(text).toContain('# TYPE fraud_build_info gauge');
    expect(
      sampleOf(text, 'fraud_build_info', { service: 'admin', version: '0.1.0', commit: 'unknown', node: 'v22.0.0' }),
    ).toBe(1);
  });
});
