/**
 * The statements that make `table` append-only: a trigger function that raises,
 * run before any UPDATE, DELETE or TRUNCATE of the table. Taken back by dropping
 * the table, then the function `${table}_append_only()`.
 */
export function appendOnlyStatements(table: string): string[] {
  return [
    `
      CREATE FUNCTION ${table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '${table} is append-only';
      END $$`,
    `
      CREATE TRIGGER ${table}_no_change BEFORE UPDATE OR DELETE ON ${table}
      FOR EACH ROW EXECUTE FUNCTION ${table}_append_only()`,
    `
      CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
      FOR EACH STATEMENT EXECUTE FUNCTION ${table}_append_only()`,
  ];
}
