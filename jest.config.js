// force timezone to UTC to allow tests to work regardless of local timezone
// generally used by snapshots, but can affect specific tests
process.env.TZ = 'UTC';

const baseConfig = require('./.config/jest.config');

const [swcTransformer, swcOptions] = baseConfig.transform['^.+\\.(t|j)sx?$'];

module.exports = {
  // Jest configuration provided by Grafana scaffolding
  ...baseConfig,
  transform: {
    ...baseConfig.transform,
    // @grafana/data 13 pulls in d3-* packages that ship only .mjs files; the scaffold's transform covers
    // .js/.ts only, so jest would fail on their `export` statements.
    '^.+\\.mjs$': [swcTransformer, swcOptions],
  },
  // Only a guard against a hung test: editor tests wait for what they assert, and a loaded 2-core machine can
  // make a test that takes 2 s alone take a minute. One value for every file (no per-file jest.setTimeout).
  testTimeout: 300_000,
};
