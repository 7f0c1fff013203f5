/**
 * The catalogue of mutants `npm run mutants` runs: one module per component of the plane.
 */
import type { Mutant } from './mutant.ts';
import { APISERVER_MUTANTS } from './apiserver.ts';
import { DNS_MUTANTS } from './dns.ts';
import { ENDPOINTSLICE_MUTANTS } from './endpointslice.ts';
import { GARBAGE_COLLECTOR_MUTANTS } from './garbage-collector.ts';
import { NAMESPACE_MUTANTS } from './namespace.ts';
import { NODE_LIFECYCLE_MUTANTS } from './node-lifecycle.ts';
import { NODE_SIMULATOR_MUTANTS } from './node-simulator.ts';
import { SCHEDULER_MUTANTS } from './scheduler.ts';
import { CONTROL_PLANE_FAULT_MUTANTS } from './control-plane-faults.ts';
import { STATEFULSET_CONTROLLER_MUTANTS } from './statefulset-controller.ts';
import { VOLUME_MUTANTS } from './volumes.ts';

export type { Edit, Mutant, MutantTarget } from './mutant.ts';

export const MUTANTS: readonly Mutant[] = [
  ...STATEFULSET_CONTROLLER_MUTANTS,
  ...CONTROL_PLANE_FAULT_MUTANTS,
  ...DNS_MUTANTS,
  ...ENDPOINTSLICE_MUTANTS,
  ...NODE_LIFECYCLE_MUTANTS,
  ...SCHEDULER_MUTANTS,
  ...NODE_SIMULATOR_MUTANTS,
  ...APISERVER_MUTANTS,
  ...GARBAGE_COLLECTOR_MUTANTS,
  ...NAMESPACE_MUTANTS,
  ...VOLUME_MUTANTS,
];

const seen = new Set<string>();
for (const m of MUTANTS) {
  if (seen.has(m.name)) throw new Error(`two mutants are named ${m.name}`);
  seen.add(m.name);
}
