/**
 * The catalogue of mutants `npm run mutants` runs: one module per component of the plane.
 */
import type { Mutant } from './mutant.ts';
import { CONTROL_PLANE_FAULT_MUTANTS } from './control-plane-faults.ts';
import { STATEFULSET_CONTROLLER_MUTANTS } from './statefulset-controller.ts';
import { VOLUME_MUTANTS } from './volumes.ts';

export type { Edit, Mutant, MutantTarget } from './mutant.ts';

export const MUTANTS: readonly Mutant[] = [...STATEFULSET_CONTROLLER_MUTANTS, ...VOLUME_MUTANTS, ...CONTROL_PLANE_FAULT_MUTANTS];

const seen = new Set<string>();
for (const m of MUTANTS) {
  if (seen.has(m.name)) throw new Error(`two mutants are named ${m.name}`);
  seen.add(m.name);
}
