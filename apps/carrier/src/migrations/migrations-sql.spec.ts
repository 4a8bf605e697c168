import type { MigrationInterface } from 'typeorm';
import { migrationDigests } from '@app/testing';
import { carrierDatabase } from '../database';

/** Migrations already applied run exactly the SQL they ran: a new change is a new migration. */
describe('carrier migrations', () => {
  it('run the same queries as when they were first applied', async () => {
    const migrations = carrierDatabase.migrations as (new () => MigrationInterface)[];
    expect(await migrationDigests(migrations)).toEqual({
      AdminLink1764400000330: '677d71128c9af3d01814041f74174189af6e8342ca552a93c3d6a271e92c7e4f',
      CarrierShards1764400001100: '3819a396d54fe8f4df1d576f0f26941284f2aeb7a925bc16537c43dacc2633b7',
      CalleeWarnings1764400000820: '470f9e7b91dc7f75589030719e12286709756cbeff199a3c55b14132bd832242',
      ConfirmedFraudOutcomes1764400000500: '51a4263b81a268d261b92193815487ae5838c416ef8ef463696964206d0203ab',
      CreateAuditLog1764400000000: 'ad91d623051e85ddac1fde8abd0008a660af1e3217fcdc37fe0099fe386aa4ae',
      CreateCarrier1764400000200: '8dae3ee541d35c878efeb7c82ecc19217f7cec318f24fbaece8a22e147110a74',
      DecisionTerm1764400000720: '196f399fe153f74fea0b91f0608116a4a806ec5cc446ce44d2c47d8226ef0150',
      DefaultPolicy21764400000400: '547d90a8a01de8386c72bbaf4faeb5e189ca9eeda5fbb539b4b072d83c6fe41d',
      DefaultPolicy31764400000900: '62505996ba818d29ca0dcc9f4ece034734ddf421f1a67e8262bb627e8437c390',
      DefaultPolicy41764400000950: '4dd3db4c41726edd2ce427e8c62a3285b98356764a16a87f7e654d0287cb5fc9',
      DefaultPolicy51764400001200: '8eba156a90a9bda446f12095b21333d399931408977863ccabe4878d419fb59f',
      EngineEvidence1764400001000: '63235bba8a69a5e5d1952de39ee071cfd1aade35936408982f9a56ca7a66f907',
      NormaliseAuditTargets1764400000710: '7ff1cb513194cca712af116af851ab4e7e98dc327b7e0c06aeaa3a9a828174b0',
      OutboxFailedAt1764400000310: 'f32b7e348c361e0a675535d8fc25d9e173594e508e11333cb8900bee60c2698c',
      RequestAnswerState1764400000460: 'c2fabf0f2a0bdb453a6a7b421a0c9c41157e8c19cca52e2655610cabaa5f6d4e',
      ReviewTasks1764400000800: '8a378d1ed2715539e328a7d235e73aa36848593aa90a225f80b63258e94b9e9a',
      RuleBudget1764400000810: '7bf0cc2f280f1a71e17677fa9c0f61db3e6a7e969216d39886b3a990f163ba2e',
    });
  });
});
