import { Module } from '@nestjs/common';
import { NumbersModule } from '../numbers/numbers.module';
import { VerificationController } from './verification.controller';
import { VerificationRepository } from './verification.repository';
import { VerificationService } from './verification.service';

@Module({
  imports: [NumbersModule],
  controllers: [VerificationController],
  providers: [VerificationRepository, VerificationService],
  exports: [VerificationRepository],
})
export class VerificationModule {}
