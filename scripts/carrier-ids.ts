import { ConfigError, envString, type Env } from '@app/config';
import { CARRIER_IDS, isCarrierId, type CarrierId } from '@app/domain';

export const DEFAULT_CARRIER_IDS = 'CMCC,CUCC,CTCC';

/** `CARRIER_IDS`: the carriers that `npm start` runs and `npm run migrate` migrates on this host. */
export function carrierIdsOf(env: Env): CarrierId[] {
  const ids = envString(env, 'CARRIER_IDS', DEFAULT_CARRIER_IDS)
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '');
  for (const id of ids) {
    if (!isCarrierId(id)) throw new ConfigError('CARRIER_IDS', `"${id}" is not one of ${CARRIER_IDS.join(', ')}`);
  }
  const repeated = ids.find((id, i) => ids.indexOf(id) !== i);
  if (repeated !== undefined) throw new ConfigError('CARRIER_IDS', `${repeated} is listed twice`);
  return ids as CarrierId[];
}
