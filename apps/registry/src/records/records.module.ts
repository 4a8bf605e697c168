import { Module } from '@nestjs/common';
import { FlagsModule } from '../flags/flags.module';
import { NumbersModule } from '../numbers/numbers.module';
import { VerificationModule } from '../verification/verification.module';
import { RecordsController } from './records.controller';
import { RecordsService } from './records.service';

@Module({
  imports: [FlagsModule, VerificationModule, NumbersModule],
  controllers: [RecordsController],
  providers: [RecordsService],
})
export class RecordsModule {}
