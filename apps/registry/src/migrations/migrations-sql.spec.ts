import type { MigrationInterface } from 'typeorm';
import { migrationDigests } from '@app/testing';
import { registryDatabase } from '../database';

/** Migrations already applied run exactly the SQL they ran: a new change is a new migration. */
describe('registry migrations', () => {
  it('run the same queries as when they were first applied', async () => {
    const migrations = registryDatabase.migrations as (new () => MigrationInterface)[];
    expect(await migrationDigests(migrations)).toEqual({
      CreateAuditAnchor1764400000720: 'df0844f587a8f8b16e04f16487989cba3376973bd4f7d0c1d3cd9b305ff04db5',
      CreateAuditLog1764400000000: 'ad91d623051e85ddac1fde8abd0008a660af1e3217fcdc37fe0099fe386aa4ae',
      CreateRegistry1764400000100: '49809c5c07dec5e7ebd90556ff0f607d6aa2315ba02c18d8b2196ddfd6373170',
      NormaliseAuditTargets1764400000710: '7ff1cb513194cca712af116af851ab4e7e98dc327b7e0c06aeaa3a9a828174b0',
    });
  });
});
