import type { DataSource, EntityManager } from 'typeorm';

/**
 * registry_cursor (one row, id 1) is how far a service has read the registry's
 * change feed. Both followers (the carrier's copy of the registry, the
 * administration's police verdicts) read it to resume, and store what a batch
 * brings together with it.
 */
export async function readRegistryCursor(dataSource: DataSource): Promise<number> {
  const rows: { version: string }[] = await dataSource.query(`SELECT version FROM registry_cursor WHERE id = 1`);
  return Number(rows[0]?.version ?? 0);
}

/**
 * Runs `write` and moves the cursor to `version` in one transaction, so a
 * restart resumes right after the last change stored. The cursor never moves
 * back: a second follower (another replica) behind this one changes nothing.
 */
export async function storeAtRegistryCursor(
  dataSource: DataSource,
  version: number,
  write: (em: EntityManager) => Promise<void>,
): Promise<void> {
  await dataSource.transaction(async (em) => {
    await write(em);
    await em.query(`UPDATE registry_cursor SET version = GREATEST(version, $1) WHERE id = 1`, [version]);
  });
}
