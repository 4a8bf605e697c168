import { Module } from '@nestjs/common';
import { DirectivesModule } from '../directives/directives.module';
import { CellsController } from './cells.controller';
import { CellsRepository } from './cells.repository';
import { CellsService } from './cells.service';

@Module({
  imports: [DirectivesModule],
  controllers: [CellsController],
  providers: [CellsRepository, CellsService],
  exports: [CellsService],
})
export class CellsModule {}
