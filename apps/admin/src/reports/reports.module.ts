import { Module } from '@nestjs/common';
import { OversightModule } from '../oversight/oversight.module';
import { ReportPrinter } from './report-printer';
import { ReportsHttpController } from './reports.http.controller';
import { ReportsService } from './reports.service';

/** The monthly public report: HTML and PDF, from the oversight figures. */
@Module({
  imports: [OversightModule],
  controllers: [ReportsHttpController],
  providers: [ReportsService, ReportPrinter],
})
export class ReportsModule {}
