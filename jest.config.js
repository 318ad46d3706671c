// Type checking runs once in `npm run typecheck`; ts-jest only transpiles, which keeps 2-core CI fast.
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  testTimeout: 60000,
};
