import { ConfigError, envInt, envString, type Env } from '@app/config';
import { CARRIER_IDS, isCarrierId, type CarrierId } from '@app/domain';
import { DEFAULT_PROVINCE, envPeer, provinceProblem } from '@app/grpc';

/** Injection token of the AdminConfig. */
export const ADMIN_CONFIG = Symbol('ADMIN_CONFIG');

export interface AdminConfig {
  /** The province this administration serves (`admin:<province>` tokens act here). */
  province: string;
  /** The dashboard and its JSON API. */
  httpPort: number;
  httpHost: string;
  /** The registry, followed for police clearances (case clocks); unset: not followed. */
  registryAddress: string | undefined;
  /** A file with this administration's `admin:<province>` token for the registry (required in production). */
  registryTokenFile: string | undefined;
  /** Inter-network cases: distinct reporting carriers or REPORT decisions that make a REVIEW directive. */
  reviewAfterReports: number;
  /** … and that make a SUSPEND directive (reports from at least this many distinct carriers). */
  suspendAfterCarriers: number;
  /** Directives expire after this many hours unless acknowledged (issued ones may ask for less). */
  directiveTtlHours: number;
  /** A case must be restored within this many hours of a police clearance, else it is escalated. */
  caseSlaHours: number;
  /**
   * The carriers running in this province (CARRIER_IDS, as for `npm start`): directives to others (CBN when
   * not started) wait forever, and are left out of the open-directive metrics so that their alert stays quiet.
   */
  carriers: readonly CarrierId[];
  /** The chromium that prints the monthly report to PDF (Debian's; playwright-core never downloads one). */
  reportChromium: string;
}

export function adminConfig(env: Env): AdminConfig {
  const province = envString(env, 'ADMIN_PROVINCE', DEFAULT_PROVINCE, provinceProblem);
  const registry = envPeer(env, 'registry', 'to follow the registry');
  return {
    province,
    httpPort: envInt(env, 'ADMIN_HTTP_PORT', 8080, 0, 65_535),
    httpHost: envString(env, 'ADMIN_HTTP_HOST', envString(env, 'GRPC_HOST', '0.0.0.0')),
    registryAddress: registry.address,
    registryTokenFile: registry.tokenFile,
    reviewAfterReports: envInt(env, 'ADMIN_REVIEW_AFTER_REPORTS', 1, 1, 1000),
    suspendAfterCarriers: envInt(env, 'ADMIN_SUSPEND_AFTER_CARRIERS', 2, 1, 4),
    directiveTtlHours: envInt(env, 'DIRECTIVE_TTL_HOURS', 72, 1, 24 * 30),
    caseSlaHours: envInt(env, 'CASE_SLA_HOURS', 24, 1, 24 * 30),
    carriers: configuredCarriers(env),
    reportChromium: envString(env, 'REPORT_CHROMIUM', '/usr/bin/chromium'),
  };
}

function configuredCarriers(env: Env): CarrierId[] {
  const ids = envString(env, 'CARRIER_IDS', 'CMCC,CUCC,CTCC')
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '');
  const unknown = ids.find((id) => !isCarrierId(id));
  if (unknown !== undefined)
    throw new ConfigError('CARRIER_IDS', `"${unknown}" is not one of ${CARRIER_IDS.join(', ')}`);
  return [...new Set(ids)] as CarrierId[];
}
