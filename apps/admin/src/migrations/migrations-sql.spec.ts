import type { MigrationInterface } from 'typeorm';
import { migrationDigests } from '@app/testing';
import { adminDatabase } from '../database';

/** Migrations already applied run exactly the SQL they ran: a new change is a new migration. */
describe('admin migrations', () => {
  it('run the same queries as when they were first applied', async () => {
    const migrations = adminDatabase.migrations as (new () => MigrationInterface)[];
    expect(await migrationDigests(migrations)).toEqual({
      CalleeWarningCount1764400000820: 'aaac08e035312f53bb0b08422dada3d3ff6eba54feddf5a08bb806b690c4cd04',
      CaseTracking1764400000600: '2f0967798fc54130078163f6356a2344b0e7f52f8bb777cb963169e9e8553f01',
      RuleDemotion1764400000810: '22c0e31bf1544ed511899043efb6f1df183420d2b947ed1a02c331f199bbfdc8',
      CreateAdmin1764400000400: '4a87996f8be7d46653713e50e8d8126f05c9da52da2caa3d1844c8e44903924e',
      CreateAuditLog1764400000000: 'ad91d623051e85ddac1fde8abd0008a660af1e3217fcdc37fe0099fe386aa4ae',
      CreatePortedNumberChange1764400000450: '0632c36a74af3b2fe16f2e256fffc7a2c8a8efdab1f3745fa07bfbfd5c991207',
      NormaliseAuditTargets1764400000710: '7ff1cb513194cca712af116af851ab4e7e98dc327b7e0c06aeaa3a9a828174b0',
    });
  });
});
