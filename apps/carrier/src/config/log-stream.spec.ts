import path from 'node:path';
import { embeddedLogStream } from './log-stream';

describe('embeddedLogStream', () => {
  it('names a carrier’s log after the data folder: the same folder the same log, another folder another', () => {
    const name = embeddedLogStream('CMCC', '.data');
    expect(name).toMatch(/^CARRIER_CMCC_[0-9a-f]{8}$/);
    expect(embeddedLogStream('CMCC', path.resolve('.data'))).toBe(name);
    expect(embeddedLogStream('CMCC', path.resolve('other-data'))).not.toBe(name);
    expect(embeddedLogStream('CTCC', '.data')).toBe(name.replace('CMCC', 'CTCC'));
  });
});
