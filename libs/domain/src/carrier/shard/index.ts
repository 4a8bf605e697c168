export * from './partition';
export * from './contact-sim';
export * from './carrier-shard';
export * from './reshard';
