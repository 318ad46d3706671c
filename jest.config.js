// Type checking runs once in `npm run typecheck`; ts-jest only transpiles, which keeps 2-core CI fast.
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Integration suites need Kafka and Redis; they run under jest.integration.config.js.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/integration/'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  testTimeout: 60000,
  reporters: ['default', ['<rootDir>/test/plain-summary-reporter.js', { label: 'unit' }]],
};
