import { ConfigError, envString } from './env';

describe(envString.name, () => {
  const short = (value: string) => (value.length > 3 ? 'is longer than 3 characters' : undefined);

  it('answers the value, else the fallback, and requires one without a fallback', () => {
    expect(envString({ A: 'x' }, 'A')).toBe('x');
    expect(envString({ A: '' }, 'A', 'dflt')).toBe('dflt');
    expect(() => envString({}, 'A')).toThrow(new ConfigError('A', 'is required'));
  });

  it('refuses what `check` finds wrong, naming the variable, and passes what it accepts', () => {
    expect(envString({ A: 'abc' }, 'A', undefined, short)).toBe('abc');
    expect(() => envString({ A: 'abcd' }, 'A', undefined, short)).toThrow(
      'configuration: A: is longer than 3 characters',
    );
    expect(() => envString({}, 'A', 'fallback', short)).toThrow('configuration: A: is longer than 3 characters');
  });
});
