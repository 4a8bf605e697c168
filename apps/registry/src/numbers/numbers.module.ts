import { Module } from '@nestjs/common';
import { ChangeFeed } from './change-feed.service';
import { NumbersController } from './numbers.controller';
import { NumbersRepository } from './numbers.repository';
import { NumbersService } from './numbers.service';

@Module({
  controllers: [NumbersController],
  providers: [NumbersRepository, ChangeFeed, NumbersService],
  exports: [NumbersRepository, ChangeFeed],
})
export class NumbersModule {}
