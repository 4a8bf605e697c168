import { RoleKind, type Principal } from '@app/grpc';
import { oversightScope } from './oversight-scope';

const who = (kind: RoleKind, scope?: string): Principal => ({
  subject: 'someone',
  role: scope ? `${kind}:${scope}` : kind,
  kind,
  ...(scope ? { scope } : {}),
  expiresAt: 0,
});

describe(oversightScope.name, () => {
  it('lets the administration and analysts read every carrier, or one', () => {
    expect(oversightScope(who(RoleKind.Analyst), undefined, 'carrier')).toEqual({ carrier: null, crossCarrier: true });
    expect(oversightScope(who(RoleKind.Admin, 'sichuan'), 'CTCC', 'carrier')).toEqual({
      carrier: 'CTCC',
      crossCarrier: true,
    });
  });

  it('narrows a carrier to its own figures, without what other carriers flagged', () => {
    expect(oversightScope(who(RoleKind.Carrier, 'CMCC'), undefined, 'carrier')).toEqual({
      carrier: 'CMCC',
      crossCarrier: false,
    });
    expect(oversightScope(who(RoleKind.Carrier, 'CMCC'), 'CMCC', 'carrier')).toEqual({
      carrier: 'CMCC',
      crossCarrier: false,
    });
  });

  it('refuses a carrier another carrier’s figures', () => {
    expect(() => oversightScope(who(RoleKind.Carrier, 'CMCC'), 'CTCC', 'carrier')).toThrow(
      "role carrier:CMCC may not read carrier CTCC's figures",
    );
    expect(() => oversightScope(who(RoleKind.Analyst), 'XX', 'carrier')).toThrow(/^carrier: /);
  });
});
