import { Controller, Get, Query, Res, StreamableFile } from '@nestjs/common';
import { RoleKind, Roles } from '@app/grpc';
import { optionalQuery, type QueryValues } from '../http/request-input';
import type { MonthlyReport } from './monthly-report';
import { ReportsService } from './reports.service';

/** The headers a download needs (Express's response, or anything with setHeader). */
interface HeaderSink {
  setHeader(name: string, value: string): unknown;
}

/**
 * The monthly public report, for the province's administration and analysts: it covers every carrier, so a
 * carrier (which reads only its own figures) and the police are refused.
 */
@Controller('api/reports')
@Roles(RoleKind.Admin, RoleKind.Analyst)
export class ReportsHttpController {
  constructor(private readonly reports: ReportsService) {}

  @Get('monthly')
  async monthly(
    @Query() query: QueryValues,
    @Res({ passthrough: true }) response: HeaderSink,
  ): Promise<MonthlyReport | string | StreamableFile> {
    const rendered = await this.reports.monthly({
      month: optionalQuery(query, 'month'),
      format: optionalQuery(query, 'format'),
    });
    const disposition = `attachment; filename="${rendered.fileName}"`;
    if (rendered.format === 'json') return rendered.report;
    // Bytes as they are: a string answer would be sent with a charset, which a PDF has not.
    if (rendered.format === 'pdf')
      return new StreamableFile(rendered.body, { type: 'application/pdf', disposition, length: rendered.body.length });
    response.setHeader('content-type', 'text/html; charset=utf-8');
    response.setHeader('content-disposition', disposition);
    return rendered.body;
  }
}
