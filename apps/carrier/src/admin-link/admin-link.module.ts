import { Module } from '@nestjs/common';
import { AnalysisModule } from '../analysis/analysis.module';
import { OutboxModule } from '../outbox/outbox.module';
import { AdminConnection } from './admin-connection';
import { AdminRelay } from './admin-relay.service';
import { DailyCounts } from './daily-counts.service';
import { DailyCountsRepository } from './daily-counts.repository';
import { DirectiveApplier } from './directive-applier.service';
import { DirectiveLogRepository } from './directive-log.repository';
import { DirectiveStream } from './directive-stream.service';
import { HighRiskCells } from './high-risk-cells.service';
import { HighRiskCellsRepository } from './high-risk-cells.repository';

/**
 * The carrier's link to the provincial administration: its feed (the ADMIN
 * outbox: decisions and daily counts) and its directives (applied once each,
 * acknowledged with the outcome), over one channel to ADMIN_ADDRESS.
 */
@Module({
  imports: [AnalysisModule, OutboxModule],
  providers: [
    AdminConnection.provider,
    AdminRelay,
    DailyCountsRepository,
    DailyCounts,
    DirectiveLogRepository,
    HighRiskCellsRepository,
    HighRiskCells,
    DirectiveApplier,
    DirectiveStream,
  ],
})
export class AdminLinkModule {}
