import { positionals, stringOption, stringOptions, type Command } from '../command';
import { claimsOf } from '../context';
import { RoleError, parseRole } from '../../../../libs/grpc/src/auth/roles';
import { CliError, UsageError } from '../errors';
import { ExitCode } from '../exit-codes';
import { fields, formatTime } from '../output';

export const whoamiCommand: Command = {
  name: 'whoami',
  summary: 'the token fraudctl would use: role, subject, scope, expiry (calls no server)',
  help: [
    'usage: fraudctl whoami [--role ROLE]',
    '',
    'Decodes the token fraudctl would send in the role, without verifying it or',
    'calling a server: its role, subject, province or carrier scope, issuer, expiry',
    'and whether it has expired, and where it comes from (--token, a variable, the',
    'context, or minted from the signing key). The servers verify its signature.',
    '',
    'Options:',
    '  --role ROLE            the role to look at: carrier:<ID>, admin:<province>, analyst, police, auditor',
    '                         (default: the admin role, the one most commands use)',
  ],
  options: stringOptions('role'),
  run(ctx, args) {
    positionals(args, [], 'whoami');
    const role = stringOption(args.values, 'role') ?? ctx.adminRole();
    try {
      parseRole(role);
    } catch (error) {
      if (error instanceof RoleError) throw new UsageError(error.message, 'whoami');
      throw error;
    }
    const { token, source } = ctx.tokenWithSource(role);
    const claims = claimsOf(token);
    if (claims === undefined)
      throw new CliError(`the token from ${source} is not a JSON Web Token`, ExitCode.Permission);
    const claimed = typeof claims.role === 'string' ? claims.role : undefined;
    const [kind, scope] = (claimed ?? '').split(':');
    const expiresAt = typeof claims.exp === 'number' ? claims.exp * 1000 : undefined;
    const expired = expiresAt !== undefined && expiresAt <= Date.now();
    const info = {
      role: claimed ?? null,
      subject: claims.sub ?? null,
      province: kind === 'admin' ? (scope ?? null) : null,
      carrier: kind === 'carrier' ? (scope ?? null) : null,
      issuer: claims.iss ?? null,
      issuedAt: typeof claims.iat === 'number' ? new Date(claims.iat * 1000).toISOString() : null,
      expiresAt: expiresAt === undefined ? null : new Date(expiresAt).toISOString(),
      expired,
      source,
    };
    if (ctx.json) ctx.printJson(info);
    else
      ctx.print(
        fields([
          ['role', info.role ?? '-'],
          ['subject', info.subject ?? '-'],
          ...(info.province === null ? [] : [['province', info.province] as [string, string]]),
          ...(info.carrier === null ? [] : [['carrier', info.carrier] as [string, string]]),
          ['issuer', info.issuer ?? '-'],
          [
            'expires',
            expiresAt === undefined
              ? 'never (no exp claim)'
              : `${formatTime(expiresAt)} (${expired ? 'EXPIRED' : `in ${duration(expiresAt - Date.now())}`})`,
          ],
          ['source', source],
        ]),
      );
    return Promise.resolve();
  },
};

function duration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return `${Math.ceil(ms / 1000)} s`;
  if (minutes < 120) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours} h ${minutes % 60} min` : `${Math.floor(hours / 24)} d ${hours % 24} h`;
}
