/**
 * Mutants that only a control-plane fault shows: a client that does not come back after its
 * watch is cut, and an API server that does not tell a client its history is gone. The
 * control-plane fault scenarios (features/control-plane-faults.feature) must catch them.
 */
import type { Mutant } from './mutant.ts';

export const CONTROL_PLANE_FAULT_MUTANTS: Mutant[] = [
  {
    name: 'informer-no-rewatch',
    component: 'controller-runtime',
    area: 'control-plane faults',
    description: "a controller's informer whose watch is cut (an API-server restart) never starts watching again: its cache freezes",
    targets: ['reference'],
    edits: [
      {
        file: 'reference/controllers/runtime.ts',
        find: '      this.retry = this.clock.after(this.clock.scale * 200, () => void this.lw.start().catch(() => undefined));\n',
        replace: '',
      },
    ],
  },
  {
    name: 'compacted-watch-not-gone',
    component: 'apiserver',
    area: 'control-plane faults',
    description: 'a watch from a compacted resourceVersion is answered 500 InternalError instead of 410 Expired, so clients retry it forever instead of relisting',
    targets: ['reference'],
    edits: [
      {
        file: 'reference/apiserver/watch.ts',
        find: "      event('ERROR', JSON.stringify(failureStatus(410, 'Expired', message)));",
        replace: "      event('ERROR', JSON.stringify(failureStatus(500, 'InternalError', message)));",
      },
    ],
  },
];
