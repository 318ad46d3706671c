// Integration suites (real Kafka + real Redis): globalSetup starts both once for all suites
// (deploy/local/start.sh) or adopts KAFKA_BROKERS/REDIS_URL when set; globalTeardown stops them.
module.exports = {
  testEnvironment: 'node',
  rootDir: __dirname,
  roots: ['<rootDir>/test/integration'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  globalSetup: '<rootDir>/test/integration/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/integration/setup/global-teardown.ts',
  testTimeout: 60000,
  reporters: ['default', ['<rootDir>/test/plain-summary-reporter.js', { label: 'integration' }]],
  // One broker and one Redis are shared: suites run one at a time, which also suits 2 cores.
  maxWorkers: 1,
  // A failed assertion can leave a Kafka consumer polling; never let that hang CI after the run.
  forceExit: true,
};
