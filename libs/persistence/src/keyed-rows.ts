import type { EntityManager } from 'typeorm';

/**
 * The column of a row's field: its name in snake case (`nationalIdLast4` is
 * national_id_last4). Field and table names come from the code, never from a request.
 */
export function columnOf(field: string): string {
  return field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** Inserts one row into `table`: every own field of `row` into its column (columnOf), each value a parameter. */
export async function insertRow(em: EntityManager, table: string, row: object): Promise<void> {
  const fields = Object.keys(row);
  const columns = fields.map(columnOf).join(', ');
  const parameters = fields.map((_, index) => `$${index + 1}`).join(', ');
  await em.query(`INSERT INTO ${table} (${columns}) VALUES (${parameters})`, Object.values(row));
}

/** The row of `table` stored with an idempotency key, its `fields` read from their columns (columnOf); or undefined. */
export async function rowByKey<T extends object>(
  em: EntityManager,
  table: string,
  fields: readonly (keyof T & string)[],
  idempotencyKey: string,
): Promise<T | undefined> {
  const columns = fields.map((field) => `${columnOf(field)} AS "${field}"`).join(', ');
  const rows: T[] = await em.query(`SELECT ${columns} FROM ${table} WHERE idempotency_key = $1`, [idempotencyKey]);
  return rows[0];
}
