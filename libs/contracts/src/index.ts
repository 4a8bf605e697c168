// Types generated from proto/ by `npm run proto` (buf + ts-proto). Never edit generated/.
export * as common from './generated/fraud/common/v1/common';
export * as registry from './generated/fraud/registry/v1/registry';
export * as registryV2 from './generated/fraud/registry/v2/registry';
export * as carrier from './generated/fraud/carrier/v1/carrier';
export * as admin from './generated/fraud/admin/v1/admin';
export type { Timestamp } from './generated/google/protobuf/timestamp';
export * from './time';
export * from './codecs';
