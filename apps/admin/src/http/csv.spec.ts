import { csvField, toCsv } from './csv';

describe(toCsv.name, () => {
  it('writes a header and one CRLF line per row', () => {
    expect(
      toCsv(
        ['day', 'count'],
        [
          ['2024-02-06', 3],
          ['2024-02-07', 0.25],
        ],
      ),
    ).toBe('day,count\r\n2024-02-06,3\r\n2024-02-07,0.25\r\n');
  });
});

describe(csvField.name, () => {
  it('quotes fields with commas, quotes or line breaks, doubling quotes', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
  });

  it('defuses text a spreadsheet would run as a formula, not numbers', () => {
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField(-1)).toBe('-1');
  });
});
