import { Body, Controller, Delete, Get, Param, Post, Query, Req } from '@nestjs/common';
import type { admin } from '@app/contracts';
import { Audited } from '@app/audit';
import { principalOf, RoleKind, Roles, type HttpRequest } from '@app/grpc';
import { cellListToWire } from '../cells/cell-list';
import { CellsService } from '../cells/cells.service';
import { idempotencyKeyOr } from './idempotency';
import { protoJson, type Json } from './proto-json';
import { bodyObject, bodyString, optionalInteger, optionalQuery, type QueryValues } from './request-input';

/** The high-risk cell list: read by every role the proto admits, changed by the administration and analysts. */
@Controller('api/cells')
export class CellsHttpController {
  constructor(private readonly cells: CellsService) {}

  @Get()
  @Roles(RoleKind.Admin, RoleKind.Analyst, RoleKind.Carrier, RoleKind.Police)
  async list(): Promise<Json<admin.ListHighRiskCellsResponse>> {
    return protoJson({ list: cellListToWire(await this.cells.list()) });
  }

  @Post()
  @Roles(RoleKind.Admin, RoleKind.Analyst)
  @Audited<Record<string, unknown>>((body) => ({
    detail: {
      cell: body.cell,
      reason: body.reason,
      source: body.source,
      expiresInDays: body.expiresInDays,
      idempotencyKey: body.idempotencyKey,
    },
  }))
  async add(@Req() request: HttpRequest, @Body() body: unknown): Promise<Json<admin.AddHighRiskCellResponse>> {
    const input = bodyObject(body);
    const { list, replayed } = await this.cells.add(principalOf(request), {
      idempotencyKey: idempotencyKeyOr(bodyString(input, 'idempotencyKey', false)),
      cell: bodyString(input, 'cell', true),
      reason: bodyString(input, 'reason', true),
      source: bodyString(input, 'source', true),
      // Whole numbers only here; the service holds the range its policy allows.
      expiresInDays: optionalInteger(input.expiresInDays, 'expiresInDays', 0, 100_000),
    });
    return protoJson({ list: cellListToWire(list), replayed });
  }

  @Delete(':cell')
  @Roles(RoleKind.Admin, RoleKind.Analyst)
  @Audited<Record<string, unknown>>((request) => ({
    detail: { cell: request.cell, reason: request.reason, idempotencyKey: request.idempotencyKey },
  }))
  async remove(
    @Req() request: HttpRequest,
    @Param('cell') cell: string,
    @Query() query: QueryValues,
  ): Promise<Json<admin.RemoveHighRiskCellResponse>> {
    const { list, replayed } = await this.cells.remove(principalOf(request), {
      idempotencyKey: idempotencyKeyOr(optionalQuery(query, 'idempotencyKey')),
      cell,
      reason: optionalQuery(query, 'reason') ?? '',
    });
    return protoJson({ list: cellListToWire(list), replayed });
  }
}
