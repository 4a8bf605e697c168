import { DataSource } from 'typeorm';
import type { Msisdn } from '@app/domain';
import { QueryOutsideTransactionError, takeTransactionGuardViolations } from '@app/persistence';
import { OwnershipService } from '../src/ownership/ownership.service';
import { AdminHarness } from './admin-harness';

/** Queries inside the admin's transactions go through the transaction's manager. */
describe('admin transactions and the transaction guard', () => {
  let harness: AdminHarness;
  let dataSource: DataSource;

  beforeAll(async () => {
    harness = await AdminHarness.start();
    dataSource = harness.app.get(DataSource);
  });
  afterAll(() => harness.close());

  it("refuses at once the read that locked IssueDirective up: the owner read beside the transaction, not through its manager", async () => {
    const ownership = harness.app.get(OwnershipService);
    const msisdn = '+8619100000001' as Msisdn;
    await expect(dataSource.transaction(() => ownership.ownerOf(msisdn))).rejects.toThrow(QueryOutsideTransactionError);
    expect(takeTransactionGuardViolations().map((v) => v.query)).toEqual(['query "SELECT carrier FROM ported_number WHERE msisdn = $1"']);
    await expect(dataSource.transaction((em) => ownership.ownerOf(msisdn, em))).resolves.toEqual({ carrier: 'CTCC', ported: false });
  });
});
