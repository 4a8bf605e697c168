import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { Audited } from '@app/audit';
import { principalOf, RoleKind, Roles, type HttpRequest } from '@app/grpc';
import { optionalQuery, type QueryValues } from '../http/request-input';
import { csvFileName, demotedRulesCsv, oversightCsv, qualityCsv } from './oversight-csv';
import type { Workload } from './oversight.repository';
import {
  OversightService,
  type DecidedNumbers,
  type OversightFigures,
  type OversightQuery,
  type OversightSeries,
} from './oversight.service';

const HTTP_FIELDS = { from: 'from', to: 'to', carrier: 'carrier' };

/** The headers a CSV download needs (Express's response, or anything with setHeader). */
interface HeaderSink {
  setHeader(name: string, value: string): unknown;
}

function queryOf(query: QueryValues): OversightQuery {
  return {
    from: optionalQuery(query, 'from'),
    to: optionalQuery(query, 'to'),
    carrier: optionalQuery(query, 'carrier'),
    fields: HTTP_FIELDS,
  };
}

/** The dashboard's oversight figures, charts and CSV exports; a carrier token reads its own carrier's only. */
@Controller('api')
@Roles(RoleKind.Admin, RoleKind.Analyst, RoleKind.Carrier)
export class OversightHttpController {
  constructor(private readonly oversight: OversightService) {}

  @Get('oversight')
  figures(@Req() request: HttpRequest, @Query() query: QueryValues): Promise<OversightFigures> {
    return this.oversight.figures(principalOf(request), queryOf(query));
  }

  @Get('oversight/series')
  series(@Req() request: HttpRequest, @Query() query: QueryValues): Promise<OversightSeries> {
    return this.oversight.series(principalOf(request), queryOf(query));
  }

  /** The numbers behind one point of a chart (a day, a series, a carrier): each opens the audited look-up. */
  @Get('oversight/numbers')
  @Audited<Record<string, unknown>>((query) => ({
    detail: { day: query.day, series: query.series, carrier: query.carrier },
  }))
  numbers(@Req() request: HttpRequest, @Query() query: QueryValues): Promise<DecidedNumbers> {
    return this.oversight.decidedNumbers(principalOf(request), {
      day: optionalQuery(query, 'day'),
      series: optionalQuery(query, 'series'),
      carrier: optionalQuery(query, 'carrier'),
      fields: { ...HTTP_FIELDS, day: 'day' },
    });
  }

  /** What waits on someone now: open cases, SLA breaches, open directives (the dashboard's header). */
  @Get('oversight/workload')
  workload(@Req() request: HttpRequest, @Query() query: QueryValues): Promise<Workload> {
    return this.oversight.workload(principalOf(request), optionalQuery(query, 'carrier'), HTTP_FIELDS.carrier);
  }

  @Get('oversight.csv')
  async oversightCsv(
    @Req() request: HttpRequest,
    @Query() query: QueryValues,
    @Res({ passthrough: true }) response: HeaderSink,
  ): Promise<string> {
    const figures = await this.oversight.figures(principalOf(request), queryOf(query));
    sendsCsv(response, csvFileName('oversight', figures));
    return oversightCsv(figures);
  }

  @Get('quality.csv')
  async qualityCsv(
    @Req() request: HttpRequest,
    @Query() query: QueryValues,
    @Res({ passthrough: true }) response: HeaderSink,
  ): Promise<string> {
    const figures = await this.oversight.figures(principalOf(request), queryOf(query));
    sendsCsv(response, csvFileName('quality', figures));
    return qualityCsv(figures);
  }

  @Get('demoted-rules.csv')
  async demotedRulesCsv(
    @Req() request: HttpRequest,
    @Query() query: QueryValues,
    @Res({ passthrough: true }) response: HeaderSink,
  ): Promise<string> {
    const figures = await this.oversight.figures(principalOf(request), queryOf(query));
    sendsCsv(response, csvFileName('demoted-rules', figures));
    return demotedRulesCsv(figures);
  }
}

function sendsCsv(response: HeaderSink, fileName: string): void {
  response.setHeader('content-type', 'text/csv; charset=utf-8');
  response.setHeader('content-disposition', `attachment; filename="${fileName}"`);
}
