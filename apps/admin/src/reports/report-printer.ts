import { existsSync } from 'node:fs';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ADMIN_CONFIG, type AdminConfig } from '../config/admin.config';
import { ReportsError } from './reports.errors';

/** Chromium as a service runs it: headless, no sandbox (containers), nothing fetched from the network. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

/** Prints a self-contained HTML page to an A4 PDF with Debian's chromium through playwright-core. */
export async function printPdf(html: string, executablePath: string): Promise<Buffer> {
  // Loaded on first print: the admin's start-up does not pay for the browser driver.
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    // The page is self-contained: anything it would fetch is a mistake, and must not leave the host.
    await page.route('**/*', (route) => route.abort());
    await page.setContent(html, { waitUntil: 'load' });
    return await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
  } finally {
    await browser.close();
  }
}

/** One print at a time: a chromium per request on a shared host is enough to queue, not to run side by side. */
@Injectable()
export class ReportPrinter {
  private readonly logger = new Logger(ReportPrinter.name);
  private queue: Promise<unknown> = Promise.resolve();

  constructor(@Inject(ADMIN_CONFIG) private readonly config: AdminConfig) {}

  pdf(html: string): Promise<Buffer> {
    const chromium = this.config.reportChromium;
    if (!existsSync(chromium))
      throw new ReportsError(
        'PDF_UNAVAILABLE',
        `no chromium at ${chromium} to print the PDF (set REPORT_CHROMIUM, or ask for format=html)`,
        'format',
      );
    const printed = this.queue.then(() => printPdf(html, chromium));
    this.queue = printed.catch(() => undefined);
    return printed.catch((error: unknown) => {
      this.logger.error(`printing the report failed: ${(error as Error).message}`);
      throw new ReportsError('PDF_UNAVAILABLE', 'the PDF could not be printed: ask for format=html', 'format');
    });
  }
}
