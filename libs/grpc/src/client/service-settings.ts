import { ConfigError, envOptional, envString, type Env } from '@app/config';
import { DEFAULT_PROVINCE, isProvince } from '../auth/roles';
import { PEERS, type PeerName } from './peer-connection';

/** The province a service acts for (`variable`, default sichuan), as `admin:<province>` roles name it. */
export function envProvince(env: Env, variable: string): string {
  const province = envString(env, variable, DEFAULT_PROVINCE);
  if (!isProvince(province))
    throw new ConfigError(
      variable,
      `"${province.slice(0, 40)}" is not a province as admin:<province> roles name it ` +
        '(lower-case ascii letters, e.g. sichuan)',
    );
  return province;
}

/** Where a peer is (unset: not called) and the file with this service's token for it. */
export interface PeerSetting {
  address: string | undefined;
  tokenFile: string | undefined;
}

/**
 * A peer's address and token file, from its variables (PEERS). In production
 * a service never mints its own token, it is issued one: the token file is
 * required wherever the address is set; `purpose` (`to call the registry`)
 * says what for.
 */
export function envPeer(env: Env, peer: PeerName, purpose: string): PeerSetting {
  const { addressVariable, tokenVariable } = PEERS[peer];
  const address = envOptional(env, addressVariable);
  const tokenFile = envOptional(env, tokenVariable);
  if (address !== undefined && tokenFile === undefined && envOptional(env, 'NODE_ENV') === 'production')
    throw new ConfigError(tokenVariable, `is required in production ${purpose} at ${addressVariable}`);
  return { address, tokenFile };
}
