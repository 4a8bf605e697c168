import { Module } from '@nestjs/common';
import { NumbersModule } from '../numbers/numbers.module';
import { FlagsController } from './flags.controller';
import { FlagsRepository } from './flags.repository';
import { FlagsService } from './flags.service';

@Module({
  imports: [NumbersModule],
  controllers: [FlagsController],
  providers: [FlagsRepository, FlagsService],
  exports: [FlagsRepository],
})
export class FlagsModule {}
