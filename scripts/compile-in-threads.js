'use strict';
/**
 * Lets a worker thread started from the TypeScript sources (Jest runs the gateway so) load them: each `.ts` module is
 * compiled by swc with the options Jest compiles them with. The built gateway runs compiled JavaScript and never
 * loads this.
 */
const { addHook } = require('pirates');
const { transformSync } = require('@swc/core');
const jestConfig = require('../jest.config.js');

const [, swcOptions] = jestConfig.transform['^.+\\.ts$'];
addHook((code, filename) => transformSync(code, { ...swcOptions, filename }).code, { exts: ['.ts'] });
