// A carrier's partitioned event log (the shards' journal): the partition function, the interface, and JetStream.
export * from './partition';
export * from './event-log';
export * from './jetstream-log';
