export * from './errors';
export * from './msisdn';
