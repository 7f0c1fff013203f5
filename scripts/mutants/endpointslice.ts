/**
 * Mutants of the reference EndpointSlice controller (reference/controllers/endpointslice*.ts):
 * which pods a Service lists, with which conditions and hostnames — what DNS and clients read.
 */
import type { Edit, Mutant } from './mutant.ts';

const MODEL = 'reference/controllers/endpointslice-model.ts';
const CONTROLLER = 'reference/controllers/endpointslice.ts';

function eps(name: string, area: string, description: string, ...edits: Edit[]): Mutant {
  return { name, component: 'endpointslice', area, description, targets: ['reference'], edits };
}

const READY = '  const ready = !!svc.spec?.publishNotReadyAddresses || (serving && !terminating);';

export const ENDPOINTSLICE_MUTANTS: Mutant[] = [
  eps('eps-not-ready-pod-ready', 'endpoints/readiness',
    'a running pod that is not Ready is listed with conditions.ready true',
    { file: MODEL, find: READY, replace: '  const ready = !!svc.spec?.publishNotReadyAddresses || !terminating;' }),
  eps('eps-publish-not-ready-ignored', 'endpoints/readiness',
    'publishNotReadyAddresses is ignored: unready pods stay not ready in the slices',
    { file: MODEL, find: READY, replace: '  const ready = serving && !terminating;' }),
  eps('eps-terminating-pod-ready', 'endpoints/termination',
    'a terminating pod that is still Ready stays conditions.ready true until it is gone',
    { file: MODEL, find: READY, replace: '  const ready = !!svc.spec?.publishNotReadyAddresses || serving;' }),
  eps('eps-hostname-for-every-service', 'endpoints/hostname',
    "endpoints carry the pod's hostname for every Service that selects it, not only the one named by its subdomain",
    {
      file: MODEL,
      find: '  return !!pod.spec?.hostname && pod.spec.subdomain === svc.metadata?.name && svc.metadata?.namespace === pod.metadata?.namespace;',
      replace: '  return !!pod.spec?.hostname && svc.metadata?.namespace === pod.metadata?.namespace;',
    }),
  eps('eps-hostname-missing', 'endpoints/hostname',
    'endpoints never carry the pod hostname, so per-pod DNS names do not exist',
    { file: MODEL, find: '  if (shouldSetHostname(pod, svc)) ep.hostname = pod.spec!.hostname;\n', replace: '' }),
  eps('eps-unselected-pod-stays-listed', 'endpoints/selection',
    "a pod whose labels stop matching a Service stays in that Service's slices (only the Services selecting it now are synced)",
    {
      file: CONTROLLER,
      find: '    for (const k of new Set([...(podServices.get(key) ?? []), ...now])) queue.add(k);',
      replace: '    for (const k of new Set(now)) queue.add(k);',
    }),
];
