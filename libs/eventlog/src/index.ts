// A carrier's partitioned event log (the shards' journal): the partition function, the interface, and JetStream.
export { murmurKey, partitionOf } from '@app/domain';
export * from './event-log';
export * from './jetstream-log';
export * from './log-exchange';
