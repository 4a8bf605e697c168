import { formatRole, parseRole, RoleError, RoleKind } from './roles';

describe('roles', () => {
  it.each([
    ['carrier:CMCC', { kind: RoleKind.Carrier, scope: 'CMCC' }],
    ['carrier:CUCC', { kind: RoleKind.Carrier, scope: 'CUCC' }],
    ['carrier:CTCC', { kind: RoleKind.Carrier, scope: 'CTCC' }],
    ['carrier:CBN', { kind: RoleKind.Carrier, scope: 'CBN' }],
    ['admin:sichuan', { kind: RoleKind.Admin, scope: 'sichuan' }],
    ['analyst', { kind: RoleKind.Analyst }],
    ['police', { kind: RoleKind.Police }],
    ['auditor', { kind: RoleKind.Auditor }],
  ])('parses %s', (text, role) => {
    expect(parseRole(text)).toEqual(role);
    expect(formatRole(parseRole(text))).toBe(text);
  });

  it.each([
    '',
    'carrier',
    'carrier:',
    'carrier:cmcc',
    'carrier:XXXX',
    'admin',
    'admin:',
    'admin:Sichuan',
    'admin:si chuan',
    'admin:四川',
    'admin:x',
    'police:beijing',
    'auditor:',
    'Police',
    'root',
    ' police',
    'carrier:CMCC:extra',
  ])('refuses %j', (text) => {
    expect(() => parseRole(text)).toThrow(RoleError);
  });

  it('names the accepted forms', () => {
    expect(() => parseRole('carrier:ABC')).toThrow(
      'unknown role "carrier:ABC": carrier roles are carrier:<ID> with ID one of CMCC, CUCC, CTCC, CBN',
    );
  });
});
