/**
 * A YAML dump of the scenario namespace for failure reports: the objects as the timeline last
 * saw them, with noisy fields left out.
 */
import YAML from 'yaml';
import { ObjectSerializer } from '@kubernetes/client-node/dist/serializer.js';
import type { ConformanceWorld } from './world.ts';
import { WATCHED, type WatchedKind } from './timeline.ts';

export async function dumpNamespace(world: ConformanceWorld): Promise<string> {
  const docs: unknown[] = [];
  for (const kind of Object.keys(WATCHED) as WatchedKind[]) {
    for (const obj of world.timeline.list(kind)) {
      const plain = ObjectSerializer.serialize(obj, WATCHED[kind].model) as { metadata?: Record<string, unknown> };
      delete plain.metadata?.managedFields;
      docs.push({ kind, ...plain });
    }
  }
  return docs.map((d) => YAML.stringify(d)).join('---\n');
}
