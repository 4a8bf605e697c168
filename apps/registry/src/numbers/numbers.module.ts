import { Module } from '@nestjs/common';
import { ChangeFeed } from './change-feed.service';
import { NumbersController } from './numbers.controller';
import { NumbersRepository } from './numbers.repository';
import { NumbersService } from './numbers.service';
import { RegistryMetrics } from './registry-metrics';

@Module({
  controllers: [NumbersController],
  providers: [NumbersRepository, ChangeFeed, NumbersService, RegistryMetrics],
  exports: [NumbersRepository, ChangeFeed, RegistryMetrics],
})
export class NumbersModule {}
