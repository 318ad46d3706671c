// Prints one plain closing line ("unit: 400 passed, 0 failed, 0 skipped") that any CI log reader can count.
class PlainSummaryReporter {
  constructor(_globalConfig, options) {
    this.label = (options && options.label) || 'tests';
  }
  onRunComplete(_contexts, r) {
    process.stdout.write(`\n${this.label}: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped\n`);
  }
}
module.exports = PlainSummaryReporter;
