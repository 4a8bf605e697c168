import { Module } from '@nestjs/common';
import { OwnershipController } from './ownership.controller';
import { OwnershipRepository } from './ownership.repository';
import { OwnershipService } from './ownership.service';

@Module({
  controllers: [OwnershipController],
  providers: [OwnershipRepository, OwnershipService],
  exports: [OwnershipService],
})
export class OwnershipModule {}
