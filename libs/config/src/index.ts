export * from './env';
export * from './clock.module';
