import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { AnalysisService } from '../analysis/analysis.service';
import type { HighRiskCellList } from './directive.mapper';
import { HighRiskCellsRepository } from './high-risk-cells.repository';

/** "1 cell", "12 cells". */
export const cellCount = (n: number): string => `${n} cell${n === 1 ? '' : 's'}`;

/**
 * The administration's high-risk cell list in the engine: loaded at start-up
 * (this module imports the analysis, so its engine exists by then), replaced
 * by each newer list a directive brings, stored first so a restart keeps it.
 */
@Injectable()
export class HighRiskCells implements OnModuleInit {
  private readonly logger = new Logger(HighRiskCells.name);
  private current: HighRiskCellList = { version: 0, cells: [] };

  constructor(
    private readonly repository: HighRiskCellsRepository,
    private readonly analysis: AnalysisService,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.use(await this.repository.load());
    if (this.current.version > 0)
      this.logger.log(`high-risk cell list version ${this.current.version}: ${cellCount(this.current.cells.length)}`);
  }

  /** The list in force (version 0: none received yet). */
  get list(): HighRiskCellList {
    return this.current;
  }

  /** Puts `list` in force if it is newer than the one in force; false when it is not. */
  async replace(list: HighRiskCellList): Promise<boolean> {
    if (list.version <= this.current.version || !(await this.repository.replace(list))) return false;
    await this.use(list);
    return true;
  }

  /** Through the engine's apply path, as every change of it: the list itself decides nothing. */
  private async use(list: HighRiskCellList): Promise<void> {
    const cells = list.cells.map((c) => ({
      cell: c.cell,
      from: c.addedAt,
      until: c.expiresAt ?? Number.POSITIVE_INFINITY,
    }));
    await this.analysis.apply({ kind: 'setHighRiskCells', cells });
    this.current = list;
  }
}
