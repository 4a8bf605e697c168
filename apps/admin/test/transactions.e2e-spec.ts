import { DataSource } from 'typeorm';
import type { Msisdn } from '@app/domain';
import { QueryOutsideTransactionError, takeTransactionGuardViolations } from '@app/persistence';
import { CaseTracker } from '../src/cases/case-tracker.service';
import { DirectiveNotifier } from '../src/directives/directive-notifier';
import { DirectivesRepository } from '../src/directives/directives.repository';
import { OwnershipService } from '../src/ownership/ownership.service';
import { AdminHarness, directiveStream } from './admin-harness';

/**
 * Queries inside the admin's transactions go through the transaction's manager;
 * work a transaction merely starts runs on its own.
 */
describe('admin transactions and the transaction guard', () => {
  let harness: AdminHarness;
  let dataSource: DataSource;

  beforeAll(async () => {
    harness = await AdminHarness.start();
    dataSource = harness.app.get(DataSource);
  });
  afterAll(() => harness.close());

  it('refuses at once the owner read that locked up IssueDirective: beside the transaction, not in it', async () => {
    const ownership = harness.app.get(OwnershipService);
    const msisdn = '+8619100000001' as Msisdn;
    await expect(dataSource.transaction(() => ownership.ownerOf(msisdn))).rejects.toThrow(QueryOutsideTransactionError);
    expect(takeTransactionGuardViolations().map((v) => v.query)).toEqual([
      'query "SELECT carrier FROM ported_number WHERE msisdn = $1"',
    ]);
    await expect(dataSource.transaction((em) => ownership.ownerOf(msisdn, em))).resolves.toEqual({
      carrier: 'CTCC',
      ported: false,
    });
  });

  it('runs a case-tracking run that a transaction starts on connections of its own', async () => {
    let tracked: Promise<void> | undefined;
    await dataSource.transaction(async (em) => {
      tracked = harness.app.get(CaseTracker).catchUp();
      await em.query('SELECT 1');
    });
    await tracked;
  });

  it('lets directive streams woken from inside a transaction read on connections of their own', async () => {
    const stream = directiveStream(harness.client('carrier:CTCC'));
    const repository = harness.app.get(DirectivesRepository);
    // The stream's opening read first, then the one the wake-up below causes.
    const read = jest.spyOn(repository, 'openFor');
    const sent = jest.spyOn(repository, 'markDelivered');
    while (sent.mock.calls.length === 0) await new Promise((resolve) => setImmediate(resolve));
    await sent.mock.results[0].value;
    // The opening delivery has finished: the wake-up below starts a delivery of its own.
    await new Promise((resolve) => setImmediate(resolve));
    await dataSource.transaction(async (em) => {
      harness.app.get(DirectiveNotifier).notify(['CTCC']);
      while (read.mock.calls.length < 2) await em.query('SELECT 1');
      await read.mock.results[1].value;
    });
    read.mockRestore();
    sent.mockRestore();
    stream.close();
  });
});
