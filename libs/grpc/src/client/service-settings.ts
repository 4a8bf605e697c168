import { ConfigError, envOptional, type Env } from '@app/config';
import { isProvince } from '../auth/roles';
import { PEERS, type PeerName } from './peer-connection';

/** What is wrong with a province setting (undefined: nothing), as `admin:<province>` roles name provinces. */
export function provinceProblem(value: string): string | undefined {
  if (isProvince(value)) return undefined;
  return (
    `"${value.slice(0, 40)}" is not a province as admin:<province> roles name it ` +
    '(lower-case ascii letters, e.g. sichuan)'
  );
}

/** Where a peer is (unset: not called) and the file with this service's token for it. */
export interface PeerSetting {
  address: string | undefined;
  tokenFile: string | undefined;
}

/** Each peer's variables, read by name (PEERS names them for messages). */
const PEER_VARIABLES: Record<PeerName, (env: Env) => PeerSetting> = {
  registry: (env) => ({
    address: envOptional(env, 'REGISTRY_ADDRESS'),
    tokenFile: envOptional(env, 'REGISTRY_TOKEN_FILE'),
  }),
  admin: (env) => ({ address: envOptional(env, 'ADMIN_ADDRESS'), tokenFile: envOptional(env, 'ADMIN_TOKEN_FILE') }),
};

/**
 * A peer's address and token file, from its variables (PEERS). In production
 * a service never mints its own token, it is issued one: the token file is
 * required wherever the address is set; `purpose` (`to call the registry`)
 * says what for.
 */
export function envPeer(env: Env, peer: PeerName, purpose: string): PeerSetting {
  const { addressVariable, tokenVariable } = PEERS[peer];
  const { address, tokenFile } = PEER_VARIABLES[peer](env);
  if (address !== undefined && tokenFile === undefined && envOptional(env, 'NODE_ENV') === 'production')
    throw new ConfigError(tokenVariable, `is required in production ${purpose} at ${addressVariable}`);
  return { address, tokenFile };
}
