import { FeatureError, ValidationError, ValidationErrorCode } from '@app/domain';
import { adminConfig } from '../config/admin.config';
import type { OversightRepository } from '../oversight/oversight.repository';
import { ReportPrinter } from './report-printer';
import { ReportsService } from './reports.service';

/** An oversight repository with no figures, recording the ranges it was asked for. */
function emptyFigures(asked: { start: Date; end: Date }[]): OversightRepository {
  const none = async (range: { start: Date; end: Date }) => {
    asked.push({ start: range.start, end: range.end });
    return [];
  };
  return {
    actionCounts: none,
    reasonCounts: none,
    reportedCounts: none,
    suspensions: none,
    demotedRules: none,
    calleeWarnings: none,
  } as unknown as OversightRepository;
}

describe(ReportsService.name, () => {
  const now = new Date('2026-12-06T05:20:00Z');
  const config = adminConfig({ ADMIN_PROVINCE: 'beijing', CARRIER_IDS: 'CMCC,CTCC' });
  const printed: string[] = [];
  const printer = { pdf: async (html: string) => (printed.push(html), Buffer.from('%PDF-1.7')) } as ReportPrinter;

  const sut = (asked: { start: Date; end: Date }[] = []) =>
    new ReportsService(emptyFigures(asked), printer, config, { now: () => now });

  it('reads every figure over the month in CST, and reports the province’s running carriers', async () => {
    const asked: { start: Date; end: Date }[] = [];
    const answer = await sut(asked).monthly({ month: '2026-11', format: 'json' });
    expect(asked).toHaveLength(6);
    expect(new Set(asked.map((a) => `${a.start.toISOString()} ${a.end.toISOString()}`))).toEqual(
      new Set(['2026-10-31T16:00:00.000Z 2026-11-30T16:00:00.000Z']),
    );
    expect(answer).toMatchObject({
      format: 'json',
      fileName: 'report-2026-11.json',
      report: { province: 'beijing', provisional: false, carriers: [{ carrier: 'CMCC' }, { carrier: 'CTCC' }] },
    });
  });

  it('writes HTML by default, and prints that HTML for the PDF', async () => {
    const html = await sut().monthly({ month: '2026-12' });
    expect(html).toMatchObject({ format: 'html', fileName: 'report-2026-12.html' });
    const pdf = await sut().monthly({ month: '2026-12', format: 'pdf' });
    expect(pdf).toMatchObject({ format: 'pdf', fileName: 'report-2026-12.pdf', body: Buffer.from('%PDF-1.7') });
    expect(printed.at(-1)).toContain('data-provisional');
  });

  it('refuses a bad format or month naming the field', async () => {
    await expect(sut().monthly({ month: '2026-11', format: 'docx' })).rejects.toThrow(
      new ValidationError(ValidationErrorCode.Malformed, 'format', '"docx" is not a format: use html, pdf, json'),
    );
    await expect(sut().monthly({ month: '2027-01' })).rejects.toMatchObject({ field: 'month' });
    await expect(sut().monthly({})).rejects.toMatchObject({ field: 'month' });
  });
});

describe(ReportPrinter.name, () => {
  it('answers UNAVAILABLE, naming the variable, when there is no chromium to print with', () => {
    const printer = new ReportPrinter({ ...adminConfig({}), reportChromium: '/nowhere/chromium' });
    expect(() => printer.pdf('<p>x</p>')).toThrow(FeatureError);
    expect(() => printer.pdf('<p>x</p>')).toThrow(
      'format: no chromium at /nowhere/chromium to print the PDF (set REPORT_CHROMIUM, or ask for format=html)',
    );
  });
});
