// How jest (jest.config.js) and child processes (ts-register.cjs) compile the
// TypeScript sources: one set of @swc/core options for both, so a service run
// in a process of its own is the code the tests load.
'use strict';

module.exports = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2023',
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};
