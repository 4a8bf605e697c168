import { toTimestamp, type admin } from '@app/contracts';

export interface HighRiskCellEntry {
  /** MCC-MNC-LAC-CI. */
  cell: string;
  reason: string;
  /** Who asked for it, e.g. `police:chengdu`. */
  source: string;
  addedAt: Date;
  expiresAt: Date;
}

/** The list as it stood after change `version` (0: never changed). */
export interface HighRiskCellList {
  version: number;
  cells: HighRiskCellEntry[];
}

/** The list as a directive carries it in jsonb (times as ISO strings). */
export function cellListFromJson(json: {
  version: number;
  cells: { cell: string; reason: string; source: string; addedAt: string; expiresAt: string }[];
}): HighRiskCellList {
  return {
    version: Number(json.version),
    cells: json.cells.map((c) => ({ ...c, addedAt: new Date(c.addedAt), expiresAt: new Date(c.expiresAt) })),
  };
}

export function cellListToWire(list: HighRiskCellList): admin.HighRiskCellList {
  return {
    version: list.version,
    cells: list.cells.map((c) => ({
      cell: c.cell,
      reason: c.reason,
      source: c.source,
      addedAt: toTimestamp(c.addedAt),
      expiresAt: toTimestamp(c.expiresAt),
    })),
  };
}
