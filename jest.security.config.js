// npm run test:security: the black-box security suite (*.security-spec.ts), which
// drives the services with clients that are not grpc-js (Debian's python3-grpcio)
// and with faults (killed processes, concurrent retries, bad bytes).
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: ['**/*.security-spec.ts'],
  testTimeout: 120000,
};
