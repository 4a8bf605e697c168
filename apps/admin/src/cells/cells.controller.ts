import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import type { admin } from '@app/contracts';
import { Audited } from '@app/audit';
import { principalOf, RoleKind, Roles } from '@app/grpc';
import { cellListToWire } from './cell-list';
import { CellsService } from './cells.service';

@Controller()
export class CellsController implements Pick<
  admin.AdminServiceController,
  'addHighRiskCell' | 'removeHighRiskCell' | 'listHighRiskCells'
> {
  constructor(private readonly cells: CellsService) {}

  @GrpcMethod('AdminService', 'AddHighRiskCell')
  @Roles(RoleKind.Admin, RoleKind.Analyst)
  @Audited<admin.AddHighRiskCellRequest>((r) => ({
    detail: {
      cell: r.cell,
      reason: r.reason,
      source: r.source,
      expiresInDays: r.expiresInDays,
      idempotencyKey: r.idempotencyKey,
    },
  }))
  async addHighRiskCell(
    request: admin.AddHighRiskCellRequest,
    metadata: Metadata,
  ): Promise<admin.AddHighRiskCellResponse> {
    const { list, replayed } = await this.cells.add(principalOf(metadata), request);
    return { list: cellListToWire(list), replayed };
  }

  @GrpcMethod('AdminService', 'RemoveHighRiskCell')
  @Roles(RoleKind.Admin, RoleKind.Analyst)
  @Audited<admin.RemoveHighRiskCellRequest>((r) => ({
    detail: { cell: r.cell, reason: r.reason, idempotencyKey: r.idempotencyKey },
  }))
  async removeHighRiskCell(
    request: admin.RemoveHighRiskCellRequest,
    metadata: Metadata,
  ): Promise<admin.RemoveHighRiskCellResponse> {
    const { list, replayed } = await this.cells.remove(principalOf(metadata), request);
    return { list: cellListToWire(list), replayed };
  }

  @GrpcMethod('AdminService', 'ListHighRiskCells')
  @Roles(RoleKind.Admin, RoleKind.Analyst, RoleKind.Carrier, RoleKind.Police)
  async listHighRiskCells(): Promise<admin.ListHighRiskCellsResponse> {
    return { list: cellListToWire(await this.cells.list()) };
  }
}
