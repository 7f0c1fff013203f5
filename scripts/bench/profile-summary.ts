/**
 * Summarises V8 CPU profiles (`node --cpu-prof`): the functions with the most self time and the
 * most total (inclusive) time, with their source locations.
 *
 *   npx tsx scripts/bench/profile-summary.ts <file.cpuprofile|dir> [--top 25] [--filter reference/]
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileRow {
  fn: string;
  selfMs: number;
  totalMs: number;
}

export function summarise(profile: Profile, filter?: string): { totalMs: number; self: ProfileRow[]; total: ProfileRow[] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const label = (n: ProfileNode): string => {
    const f = n.callFrame;
    const file = f.url.replace(/^file:\/\/.*?\/work\/main\//, '').replace(/^file:\/\//, '');
    return `${f.functionName || '(anonymous)'} ${file ? `${file}:${f.lineNumber + 1}` : ''}`.trim();
  };
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const n = byId.get(id)!;
    self.set(label(n), (self.get(label(n)) ?? 0) + us);
    // Inclusive time: once per distinct function on the stack.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const l = label(byId.get(cur)!);
      if (seen.has(l)) continue;
      seen.add(l);
      total.set(l, (total.get(l) ?? 0) + us);
    }
  }
  const rows = (m: Map<string, number>): ProfileRow[] =>
    [...m]
      .filter(([fn]) => !filter || fn.includes(filter))
      .map(([fn, us]) => ({ fn, selfMs: Math.round((self.get(fn) ?? 0) / 1000), totalMs: Math.round((total.get(fn) ?? 0) / 1000) }));
  return {
    totalMs: Math.round((profile.endTime - profile.startTime) / 1000),
    self: rows(self).sort((a, b) => b.selfMs - a.selfMs),
    total: rows(total).sort((a, b) => b.totalMs - a.totalMs),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const top = Number(args[args.indexOf('--top') + 1] ?? 25) || 25;
  const filter = args.includes('--filter') ? args[args.indexOf('--filter') + 1] : undefined;
  const target = args.find((a) => !a.startsWith('--') && a !== String(top) && a !== filter)!;
  const files = statSync(target).isDirectory() ? readdirSync(target).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(target, f)) : [target];
  for (const file of files) {
    const s = summarise(JSON.parse(readFileSync(file, 'utf8')) as Profile, filter);
    console.log(`\n${file}: ${s.totalMs} ms profiled`);
    console.log('self ms  function');
    for (const r of s.self.slice(0, top)) console.log(`${String(r.selfMs).padStart(7)}  ${r.fn}`);
    console.log('\ntotal ms function');
    for (const r of s.total.slice(0, top)) console.log(`${String(r.totalMs).padStart(7)}  ${r.fn}`);
  }
}
