/**
 * The conformance runner's options (scripts/conformance.ts). scripts/test-cluster-local.ts
 * accepts the same (but --target) and passes them on, so it checks them against this list too.
 */
export const RUNNER_OPTIONS = {
  target: { type: 'string', default: 'reference' },
  tags: { type: 'string' },
  parallel: { type: 'string' },
  context: { type: 'string' },
  disruptive: { type: 'boolean', default: false },
  'keep-cluster': { type: 'boolean', default: false },
  'report-name': { type: 'string' },
  'skip-unavailable': { type: 'boolean', default: false },
  swimlanes: { type: 'boolean', default: false },
  'timeline-by-object': { type: 'boolean', default: false },
} as const;
