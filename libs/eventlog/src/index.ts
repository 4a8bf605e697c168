// A carrier's partitioned event log (the shards' journal): the partition function, the interface, and JetStream.
export * from './partition';
