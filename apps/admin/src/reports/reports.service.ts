import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, ValidationError, ValidationErrorCode, type Clock } from '@app/domain';
import { ADMIN_CONFIG, type AdminConfig } from '../config/admin.config';
import { OversightRepository } from '../oversight/oversight.repository';
import { assertMonthBegun, buildMonthlyReport, monthRange, type MonthlyReport } from './monthly-report';
import { monthlyReportHtml } from './monthly-report.html';
import { ReportPrinter } from './report-printer';

export const REPORT_FORMATS = ['html', 'pdf', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface MonthlyReportQuery {
  month?: string;
  format?: string;
}

export type RenderedReport =
  | { format: 'json'; fileName: string; report: MonthlyReport }
  | { format: 'html'; fileName: string; body: string }
  | { format: 'pdf'; fileName: string; body: Buffer };

/** The monthly public report of the province: every carrier, from the figures the carriers fed. */
@Injectable()
export class ReportsService {
  constructor(
    private readonly figures: OversightRepository,
    private readonly printer: ReportPrinter,
    @Inject(ADMIN_CONFIG) private readonly config: AdminConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async monthly(query: MonthlyReportQuery): Promise<RenderedReport> {
    const format = reportFormat(query.format);
    const now = this.clock.now();
    const range = monthRange(query.month, 'month');
    assertMonthBegun(range, now, 'month');
    const [actions, counted, reported, suspensions, demotions, calleeWarnings] = await Promise.all([
      this.figures.actionCounts(range, null),
      this.figures.reasonCounts(range, null),
      this.figures.reportedCounts(range, null),
      this.figures.suspensions(range, null),
      this.figures.demotedRules(range, null),
      this.figures.calleeWarnings(range, null),
    ]);
    const report = buildMonthlyReport(
      { actions, counted, reported, suspensions, demotions, calleeWarnings },
      { range, province: this.config.province, carriers: this.config.carriers, now },
    );
    const fileName = `report-${range.month}.${format}`;
    if (format === 'json') return { format, fileName, report };
    const html = monthlyReportHtml(report);
    if (format === 'html') return { format, fileName, body: html };
    return { format, fileName, body: await this.printer.pdf(html) };
  }
}

function reportFormat(input: string | undefined): ReportFormat {
  const format = input === undefined || input === '' ? 'html' : input;
  if (!(REPORT_FORMATS as readonly string[]).includes(format))
    throw new ValidationError(
      ValidationErrorCode.Malformed,
      'format',
      `"${format.slice(0, 16)}" is not a format: use ${REPORT_FORMATS.join(', ')}`,
    );
  return format as ReportFormat;
}
