// Cucumber profiles: one per target. `cucumber-js -p <target>`; the default is the reference target.
// Don't put `paths` in a profile: CLI paths are added to it, so `cucumber-js features/x.feature` would
// still run everything (stack-notes §3).
const common = {
  // Only the World and hooks: everything else in support/ is reached through imports (support/ also
  // holds command-line modules that must not run on import).
  import: ['tsx-register.mjs', 'support/world.ts', 'support/hooks.ts', 'steps/**/*.ts'],
  format: [
    'progress',
    'html:reports/cucumber.html',
    'json:reports/cucumber.json',
    'junit:reports/cucumber.xml',
    'message:reports/cucumber.ndjson',
  ],
  // Undefined steps get a TypeScript snippet in the project's style (support/snippet-syntax.mjs).
  formatOptions: { junit: { suiteName: 'statefulset-conformance' }, snippetSyntax: './support/snippet-syntax.mjs' },
  tags: 'not @wip',
  strict: true,
};

// A dry run (`cucumber-js --dry-run -f usage`, listings) writes no report over a real run's.
const dryRun = process.argv.some((a) => a === '--dry-run' || a === '-d');

const target = (name, extra = {}, reportDir = name) => ({
  ...common,
  format: dryRun ? [] : common.format.map((f) => f.replace(/reports\/cucumber\./, `reports/${reportDir}/cucumber.`)),
  worldParameters: { target: name, ...extra },
});

export default { ...target('reference'), parallel: 2 };
export const reference = { ...target('reference'), parallel: 2 };
// Each worker brings up a control plane and nodes of its own (~0.6 GB, ~12 s): scenarios mostly
// wait out real time, so three planes at once take about a third of the wall time on 2 cores.
const controlPlane = { ...target('control-plane'), parallel: 3 };
export { controlPlane, controlPlane as 'control-plane' };
export const hybrid = { ...target('control-plane', { hybrid: true }, 'hybrid'), parallel: 3 };
export const cluster = { ...target('cluster'), parallel: 2 };
export const kind = { ...target('kind'), parallel: 2 };
export const wip = { ...target('reference'), tags: '@wip' };
// StrykerJS (`npm run mutation`, stryker.config.mjs): the reference suite in one process, its
// only formatter Stryker's own (it runs in a sandbox copy, so reports/reference/ is never touched).
export const mutation = { ...target('reference'), format: [] };
