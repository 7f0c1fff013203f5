/** The labels that mark what the harness created: only objects carrying them are ever touched or cleaned up. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'statefulset-conformance';
export const MANAGED_BY = { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE };
/** The run a namespace belongs to: `npm run clean --run <id>` and the ledger go by it. */
export const RUN_ID_LABEL = 'statefulset-conformance.io/run-id';
