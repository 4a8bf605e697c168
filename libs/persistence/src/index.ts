export * from './service-database';
export * from './database-url';
export * from './ensure-database';
export * from './embedded-postgres';
export { canEnter } from './embedded-postgres.host';
export * from './embedded-postgres.config';
export * from './data-source-options';
export * from './migrations';
export * from './persistence.module';
