import { CARRIER_IDS } from '../../../../libs/domain/src/carriers';
import { mintToken, parseTtl, TtlError } from '../../../../libs/grpc/src/auth/mint';
import { RoleError } from '../../../../libs/grpc/src/auth/roles';
import { positionals, stringOption, stringOptions, type Command } from '../command';
import { UsageError } from '../errors';

export const tokenCommand: Command = {
  name: 'token',
  summary: 'mint a development token for a role from the signing key',
  help: [
    'usage: fraudctl token <role> [--ttl 8h] [--subject SUB]',
    '',
    'Signs a bearer token with the signing key npm start uses (AUTH_PRIVATE_KEY_FILE,',
    'else token-signing.key in AUTH_KEY_DIR, default .data/keys), as `npm run token`',
    'does. Only the token goes to stdout: export POLICE_TOKEN=$(npx fraudctl token police).',
    `Roles: carrier:<${CARRIER_IDS.join('|')}>, admin:<province>, analyst, police, auditor.`,
    '',
    'Options:',
    '  --ttl DURATION         3600, 45s, 30m, 8h or 2d; at most 30 days (default 8h)',
    '  --subject SUB          who the token names (default derived from the role, e.g. carrier-cmcc)',
  ],
  options: stringOptions('ttl', 'subject'),
  async run(ctx, args) {
    const [role] = positionals(args, ['role'], 'token');
    const ttl = stringOption(args.values, 'ttl') ?? '8h';
    let minted;
    let ttlSeconds;
    try {
      ttlSeconds = parseTtl(ttl);
      minted = mintToken(
        { role, subject: stringOption(args.values, 'subject'), ttlSeconds, issuer: 'fraudctl' },
        ctx.env,
      );
    } catch (error) {
      if (error instanceof TtlError || error instanceof RoleError) throw new UsageError(error.message, 'token');
      throw error;
    }
    if (ctx.json)
      return ctx.printJson({
        token: minted.token,
        role,
        subject: minted.subject,
        expiresAt: new Date(Date.now() + ttlSeconds * 1000).toISOString(),
      });
    ctx.print(minted.token);
    ctx.note(`${role} token for "${minted.subject}", valid ${ttl}`);
  },
};
