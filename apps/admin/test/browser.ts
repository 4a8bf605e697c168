import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_ARGS } from '../src/reports/report-printer';

/** Debian's chromium, driven by playwright-core, which never downloads a browser (.ci/run installs it). */
const CHROMIUM = '/usr/bin/chromium';

/** The dashboard's browser for tests: chromium as the report printer runs it, and no QUIC to the loopback. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, '--disable-quic'] });
}
