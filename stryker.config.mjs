// StrykerJS for the reference plane: run it through `npm run mutation -- <file[:lines]>`
// (scripts/mutation.ts), which supplies `mutate`. Stryker instruments the TypeScript source in a
// sandbox copy of the repository; the Cucumber runner runs the reference suite in its worker
// (the `mutation` profile of cucumber.mjs), where tsx-register.mjs loads the instrumented TS.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'cucumber',
  plugins: ['@stryker-mutator/cucumber-runner'],
  cucumber: { profile: 'mutation' },
  // Each scenario records the mutants its code reached; a mutant runs only those scenarios.
  coverageAnalysis: 'perTest',
  // The plane runs in the background between scenarios too, so nearly every mutant is also
  // reached outside any scenario ("static" coverage). Stryker would run those against the
  // whole suite, restarting its worker each time; this runs them against the scenarios that
  // reach them, the mutant active all along (only a mutant reached by no scenario is Ignored).
  ignoreStatic: true,
  // Reruns reuse the results of unchanged mutants and scenarios.
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  // One worker: the machine has 2 cores, and each worker runs a whole control plane.
  concurrency: 1,
  // Scenarios wait on real time: a mutant gets its scenarios' time ×1.5 plus 30 s.
  timeoutMS: 30_000,
  tempDirName: '.cache/stryker',
  cleanTempDir: 'always',
  // Not copied to the sandbox: the user's reports, caches and scratch trees.
  ignorePatterns: ['/reports', '/.cache', '/.scratch', '*.log'],
};
