import { Module } from '@nestjs/common';
import { ChangeFeed } from './change-feed.service';
import { NumbersController } from './numbers.controller';
import { NumbersRepository } from './numbers.repository';
import { CheckNumbersV2Rpc } from './numbers-v2.rpc';
import { NumbersService } from './numbers.service';
import { RegistryMetrics } from './registry-metrics';

@Module({
  controllers: [NumbersController],
  providers: [NumbersRepository, ChangeFeed, NumbersService, RegistryMetrics, CheckNumbersV2Rpc],
  exports: [NumbersRepository, ChangeFeed, RegistryMetrics],
})
export class NumbersModule {}
