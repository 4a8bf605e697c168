import { Module } from '@nestjs/common';
import { OversightController } from './oversight.controller';
import { OversightHttpController } from './oversight.http.controller';
import { OversightRepository } from './oversight.repository';
import { OversightService } from './oversight.service';

/** GetOversight and the dashboard's figures, charts and CSV exports; the figures' reads serve the monthly report. */
@Module({
  controllers: [OversightController, OversightHttpController],
  providers: [OversightRepository, OversightService],
  exports: [OversightRepository],
})
export class OversightModule {}
