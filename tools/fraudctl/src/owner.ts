import type { admin } from '@app/contracts';
import type { CarrierId, Msisdn } from '@app/domain';
import { stringOption, type Values } from './command';
import { parseCarrierId, type Context } from './context';
import { CliError } from './errors';
import { ExitCode } from './exit-codes';

export interface Owner {
  carrier: CarrierId;
  /** True when a number-portability entry decided it; undefined when --carrier said so. */
  ported?: boolean;
}

/** --carrier when given, else the administration's answer (GetOwner: portability first, then the segment table). */
export async function ownerOf(ctx: Context, values: Values, msisdn: Msisdn, command: string): Promise<Owner> {
  const given = stringOption(values, 'carrier');
  if (given !== undefined) return { carrier: parseCarrierId(given, '--carrier', command) };
  const answer = await ctx.call<admin.GetOwnerResponse>(ctx.admin(), ctx.adminRole(), 'getOwner', {
    msisdn,
  } satisfies admin.GetOwnerRequest);
  const carrier = answer.carrier as CarrierId;
  if (!carrier)
    throw new CliError(`the admin knows no carrier owning ${msisdn}: pass --carrier`, ExitCode.NotFound, {
      field: 'number',
    });
  ctx.note(`${msisdn} belongs to ${carrier}${answer.ported ? ' (ported)' : ''}`);
  return { carrier, ported: answer.ported };
}

/** A call to the owning carrier, as that carrier (`carrier:<ID>` role). */
export function callOwner<Response>(ctx: Context, owner: Owner, method: string, request: unknown): Promise<Response> {
  return ctx.call<Response>(ctx.carrier(owner.carrier), `carrier:${owner.carrier}`, method, request);
}

export const CARRIER_OPTION_HELP =
  "  --carrier ID           the carrier to ask (default: the owner, from the admin's GetOwner)";
