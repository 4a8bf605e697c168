import { HelpRequested } from './cli-help';
import { parseArguments, summaryLines } from './reshard-cli';

describe('npm run reshard: its command line', () => {
  it('takes a carrier and a shard count', () => {
    expect(parseArguments(['--carrier', 'CTCC', '--to', '2'])).toEqual({ carrier: 'CTCC', to: 2 });
    expect(parseArguments(['--to=64', '--carrier=cmcc'])).toEqual({ carrier: 'CMCC', to: 64 });
  });

  it('answers --help with the usage', () => {
    expect(() => parseArguments(['--help'])).toThrow(HelpRequested);
    expect(() => parseArguments(['-h'])).toThrow(/usage: npm run reshard -- --carrier <CMCC\|CUCC\|CTCC\|CBN> --to/);
  });

  it.each([
    [['--to', '2'], /--carrier: one of CMCC, CUCC, CTCC, CBN/],
    [['--carrier', 'XYZ', '--to', '2'], /--carrier: one of/],
    [['--carrier', 'CTCC'], /--to: a whole number of shards from 1 to 64/],
    [['--carrier', 'CTCC', '--to', '0'], /--to: a whole number/],
    [['--carrier', 'CTCC', '--to', '65'], /--to: a whole number/],
    [['--carrier', 'CTCC', '--to', '2.5'], /--to: a whole number/],
    [['--carrier', 'CTCC', '--to', '2', '--from', '3'], /Unknown option '--from'[\s\S]*usage:/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseArguments(argv)).toThrow(message);
  });

  it('says what it did', () => {
    const lines = summaryLines('CTCC', 'CARRIER_CTCC', {
      from: 3,
      to: 2,
      entry: 120,
      exchangeDeleted: true,
      shards: [
        { shard: 0, numbers: 90, bytes: 1_500_000 },
        { shard: 1, numbers: 110, bytes: 500_000 },
      ],
    });
    expect(lines).toEqual([
      'reshard: CTCC from 3 to 2 shards at log entry 120 (2.00 MB of snapshots)',
      '  shard 0 of 2: 90 numbers, 1.50 MB',
      '  shard 1 of 2: 110 numbers, 0.50 MB',
      '  deleted the exchange stream CARRIER_CTCC_X (the new shards create it with 2 partitions)',
      '  kept the log stream CARRIER_CTCC: the new shards resume after entry 120',
      'next: start the carrier with CARRIER_SHARDS=2',
    ]);
  });
});
