import { Module } from '@nestjs/common';
import { CellsModule } from '../cells/cells.module';
import { DirectivesModule } from '../directives/directives.module';
import { CellsHttpController } from './cells.http.controller';
import { DirectivesHttpController } from './directives.http.controller';
import { MeController } from './me.controller';
import { OpenApiController } from './openapi/openapi.controller';

/**
 * The dashboard's JSON API routes that have no feature folder of their own here
 * (directives and cells are the admin core's); oversight, cases and look-ups
 * serve their routes from their own modules.
 */
@Module({
  imports: [DirectivesModule, CellsModule],
  controllers: [MeController, DirectivesHttpController, CellsHttpController, OpenApiController],
})
export class HttpApiModule {}
