// Lets a child process run the TypeScript sources as they are, the way jest
// loads them (@swc/core, CommonJS, decorators with metadata, @app/* aliases):
//   node -r ./libs/testing/src/ts-register.cjs apps/carrier/src/main.ts
// Tests use it to run a service in a process of its own, which they can kill -9.
'use strict';

const Module = require('node:module');
const fs = require('node:fs');
const path = require('node:path');
const { transformSync } = require('@swc/core');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const ALIAS = /^@app\/([a-z]+)(\/.*)?$/;
const OPTIONS = require('./swc-options.cjs');

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const alias = ALIAS.exec(request);
  const target = alias ? path.join(ROOT, 'libs', alias[1], 'src', alias[2] ?? '') : request;
  return resolveFilename.call(this, target, ...rest);
};

Module._extensions['.ts'] = function (module, filename) {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), { ...OPTIONS, filename });
  module._compile(code, filename);
};
