/** Unit tests sit beside the code; integration tests under test/ start real servers. */
const swc = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2022',
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', swc] },
  testMatch: ['<rootDir>/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  setupFiles: ['reflect-metadata'],
  testTimeout: 180_000,
  // Integration tests start several processes each: two files at a time suit a 2-core machine.
  maxWorkers: 2,
  // A worker's heap grows with every file it runs (1.3-1.4 GB resident after 10-20 of the suite's files): Node.js then
  // takes longer to free it as it exits than Jest waits (500 ms; 460 ms for a bare 1.26 GB process here), and Jest
  // killed the worker with a warning of a leak, once per run. A worker whose heap in use passes this after a file is
  // started afresh (at 1 GB, Node.js 26 was still killed once). A timer a test leaves behind keeps a worker from
  // exiting too: the shard stand-ins clear theirs when their caller goes away (test/faults.ts).
  workerIdleMemoryLimit: '700MB',
};
