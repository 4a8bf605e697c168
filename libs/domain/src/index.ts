export * from './errors';
export * from './msisdn';
export * from './cell';
export * from './paging';
export * from './registry/number-status';
export * from './registry/flag';
export * from './registry/verification';
export * from './clock';
