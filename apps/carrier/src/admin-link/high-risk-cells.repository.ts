import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { CellId } from '@app/domain';
import type { HighRiskCellList } from './directive.mapper';

/** Owns high_risk_cell and high_risk_cell_list: the administration's list as last applied here. */
@Injectable()
export class HighRiskCellsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async load(): Promise<HighRiskCellList> {
    const [{ version }]: { version: string }[] = await this.dataSource.query(
      `SELECT version FROM high_risk_cell_list WHERE id = 1`,
    );
    const rows: { cell: string; reason: string; source: string; added_at: Date; expires_at: Date | null }[] =
      await this.dataSource.query(
        `SELECT cell, reason, source, added_at, expires_at FROM high_risk_cell ORDER BY cell`,
      );
    return {
      version: Number(version),
      cells: rows.map((r) => ({
        cell: r.cell as CellId,
        reason: r.reason,
        source: r.source,
        addedAt: r.added_at.getTime(),
        expiresAt: r.expires_at?.getTime(),
      })),
    };
  }

  /**
   * Replaces the stored list when `list` is newer than it, in one transaction;
   * resolves false (nothing written) when it is not, so a late redelivery of an
   * older list never undoes a newer one.
   */
  async replace(list: HighRiskCellList): Promise<boolean> {
    return this.dataSource.transaction(async (em) => {
      const [, updated]: [unknown, number] = await em.query(
        `UPDATE high_risk_cell_list SET version = $1, updated_at = now() WHERE id = 1 AND version < $1`,
        [list.version],
      );
      if (updated === 0) return false;
      await em.query(`DELETE FROM high_risk_cell`);
      if (list.cells.length > 0) {
        await em.query(
          `INSERT INTO high_risk_cell (cell, reason, source, added_at, expires_at)
           SELECT * FROM unnest($1::varchar[], $2::text[], $3::varchar[], $4::timestamptz[], $5::timestamptz[])`,
          [
            list.cells.map((c) => c.cell),
            list.cells.map((c) => c.reason),
            list.cells.map((c) => c.source),
            list.cells.map((c) => new Date(c.addedAt)),
            list.cells.map((c) => (c.expiresAt === undefined ? null : new Date(c.expiresAt))),
          ],
        );
      }
      return true;
    });
  }
}
