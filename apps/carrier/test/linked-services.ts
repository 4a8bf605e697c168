import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Env } from '@app/config';
import { rowsOf } from '@app/testing';
export { eventually } from '@app/testing';
import type { CarrierId } from '@app/domain';
import { AdminHarness } from '../../admin/test/admin-harness';
import { RegistryHarness } from '../../registry/test/registry-harness';
import { CarrierHarness } from './carrier-harness';

/** A registry and a carrier wired to it (REGISTRY_ADDRESS), signing and verifying tokens with one key. */
export interface LinkedServices {
  registry: RegistryHarness;
  carrier: CarrierHarness;
  close(): Promise<void>;
}

/** Short pauses, so that tests see deliveries and reconnections quickly. */
const FAST_LINK = { OUTBOX_INTERVAL_MS: '50', REGISTRY_RETRY_MAX_MS: '500', ADMIN_RETRY_MAX_MS: '500' };

/** Settings of the services a test links: `env` for every one of them, `admin` for the administration alone. */
export interface LinkSettings {
  env?: Env;
  admin?: Env;
}

export async function startLinked(carrierId: CarrierId, settings: LinkSettings = {}): Promise<LinkedServices> {
  const keyDir = mkdtempSync(join(tmpdir(), 'linked-keys-'));
  const registry = await RegistryHarness.start({ keyDir, env: settings.env });
  const carrier = await CarrierHarness.start(carrierId, {
    keyDir,
    env: { ...FAST_LINK, REGISTRY_ADDRESS: registry.address, ...settings.env },
  });
  return {
    registry,
    carrier,
    close: async () => {
      await carrier.close();
      await registry.close();
      rmSync(keyDir, { recursive: true, force: true });
    },
  };
}

/**
 * A province: the registry, the administration (following the registry) and carriers wired to both,
 * all with one signing key.
 */
export interface Province {
  registry: RegistryHarness;
  admin: AdminHarness;
  carriers: Record<CarrierId, CarrierHarness>;
  close(): Promise<void>;
}

export async function startProvince(carrierIds: CarrierId[], settings: LinkSettings = {}): Promise<Province> {
  const keyDir = mkdtempSync(join(tmpdir(), 'province-keys-'));
  const registry = await RegistryHarness.start({ keyDir, env: settings.env });
  const admin = await AdminHarness.start({
    keyDir,
    env: { REGISTRY_ADDRESS: registry.address, ...settings.env, ...settings.admin },
  });
  const carriers = {} as Record<CarrierId, CarrierHarness>;
  for (const id of carrierIds) {
    carriers[id] = await CarrierHarness.start(id, {
      keyDir,
      env: { ...FAST_LINK, REGISTRY_ADDRESS: registry.address, ADMIN_ADDRESS: admin.address, ...settings.env },
    });
  }
  return {
    registry,
    admin,
    carriers,
    close: async () => {
      for (const carrier of Object.values(carriers)) await carrier.close();
      await admin.close();
      await registry.close();
      rmSync(keyDir, { recursive: true, force: true });
    },
  };
}

/** Rows of one query on a service's database (read behind its back, as a test may). */
export const query = rowsOf;
