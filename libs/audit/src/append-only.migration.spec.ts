import { appendOnlyStatements } from './append-only.migration';

describe(appendOnlyStatements.name, () => {
  it('names the function and both triggers after the table', () => {
    const [fn, noChange, noTruncate] = appendOnlyStatements('audit_anchor');
    expect(fn).toContain('CREATE FUNCTION audit_anchor_append_only() RETURNS trigger');
    expect(fn).toContain(`RAISE EXCEPTION 'audit_anchor is append-only'`);
    expect(noChange).toContain('CREATE TRIGGER audit_anchor_no_change BEFORE UPDATE OR DELETE ON audit_anchor');
    expect(noChange).toContain('FOR EACH ROW EXECUTE FUNCTION audit_anchor_append_only()');
    expect(noTruncate).toContain('CREATE TRIGGER audit_anchor_no_truncate BEFORE TRUNCATE ON audit_anchor');
    expect(noTruncate).toContain('FOR EACH STATEMENT EXECUTE FUNCTION audit_anchor_append_only()');
  });
});
