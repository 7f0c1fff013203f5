/**
 * Control-plane faults through the target (capability control-plane-faults): the StatefulSet
 * controller stopped and started again — upstream, kube-controller-manager's process — and the
 * API server restarted, with or without its history compacted. None of them marks an action:
 * ordering checks after a fault still span the whole operation that the fault interrupted.
 * A controller left stopped is started again after the scenario.
 */
import { When } from '@cucumber/cucumber';
import type { Target } from '../support/targets/target.ts';
import type { ConformanceWorld } from '../support/world.ts';

/** The target's fault, or a clear error when a scenario lacks its @needs tag. */
function fault<K extends 'stopController' | 'startController' | 'restartApiServer'>(world: ConformanceWorld, name: K): NonNullable<Target[K]> {
  const fn = world.target[name];
  if (!fn) throw new Error(`target ${world.target.name} cannot make control-plane faults: tag the scenario @needs:control-plane-faults`);
  return fn.bind(world.target) as NonNullable<Target[K]>;
}

const STOPPED = 'controller stopped';

async function stopController(world: ConformanceWorld): Promise<void> {
  await fault(world, 'stopController')();
  world.remembered.set(STOPPED, true);
  world.onCleanup(async () => {
    if (world.remembered.get(STOPPED)) await startController(world);
  });
}

async function startController(world: ConformanceWorld): Promise<void> {
  await fault(world, 'startController')();
  world.remembered.delete(STOPPED);
}

When('the StatefulSet controller restarts', async function (this: ConformanceWorld) {
  await stopController(this);
  await startController(this);
});

When('the StatefulSet controller is stopped', async function (this: ConformanceWorld) {
  await stopController(this);
});

When('the StatefulSet controller starts again', async function (this: ConformanceWorld) {
  await startController(this);
});

When('the API server restarts', async function (this: ConformanceWorld) {
  await fault(this, 'restartApiServer')({ compact: false });
});

When('the API server restarts with its watch history compacted', async function (this: ConformanceWorld) {
  await fault(this, 'restartApiServer')({ compact: true });
});
