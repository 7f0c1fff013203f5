/**
 * A picture of a scenario: an SVG swimlane of its namespace's timeline. One lane per pod
 * incarnation (uid) and per claim, coloured by state (Pending, Running, Ready, Terminating;
 * Pending, Bound, Terminating for claims); a lane of StatefulSet generation and revision changes
 * and one of events; the step boundaries; and the window of the wait that failed, shaded.
 * Cucumber's HTML report shows it inline (support/hooks.ts attaches it as image/svg+xml).
 */
import type { V1Pod, V1PersistentVolumeClaim, V1StatefulSet, CoreV1Event } from '@kubernetes/client-node';
import { isReady, isTerminating } from '../pods.ts';
import type { TimelineEntry } from '../timeline.ts';

export interface StepMark {
  at: Date;
  text: string;
}

export interface WaitWindow {
  from: Date;
  to: Date;
  expected: string;
}

type State = 'Pending' | 'Running' | 'Ready' | 'Terminating' | 'Bound' | 'Lost' | 'Finished';

const COLOUR: Record<State, string> = {
  Pending: '#f0b84c',
  Running: '#6cb4e4',
  Ready: '#4caf50',
  Terminating: '#e57373',
  Bound: '#2e7d32',
  Lost: '#9e9e9e',
  Finished: '#bdbdbd',
};

interface Segment {
  from: number;
  to: number;
  state: State;
}

interface Lane {
  label: string;
  segments: Segment[];
}

interface Marker {
  at: number;
  label: string;
  title: string;
  colour: string;
}

const LABEL_W = 190;
const PLOT_W = 880;
const LANE_H = 16;
const GAP = 5;
const PAD = 10;

export function renderSwimlane(entries: readonly TimelineEntry[], steps: readonly StepMark[], failed?: WaitWindow): string {
  const times = [...entries.map((e) => e.at.getTime()), ...steps.map((s) => s.at.getTime())];
  if (failed) times.push(failed.from.getTime());
  const t0 = times.length ? Math.min(...times) : 0;
  // The axis ends a little after the last change: a failed wait often runs on long after
  // anything happened, and drawn to scale it would squeeze the whole story into its first pixels.
  const last = Math.max(t0 + 1000, ...times);
  const t1 = failed && failed.to.getTime() > last ? last + Math.max(1000, (last - t0) * 0.15) : Math.max(last, failed?.to.getTime() ?? 0);
  const x = (t: number) => LABEL_W + ((Math.min(t, t1) - t0) / (t1 - t0)) * PLOT_W;

  const lanes = [...objectLanes(entries, 'Pod', t1), ...objectLanes(entries, 'PersistentVolumeClaim', t1)];
  const setMarkers = statefulSetMarkers(entries);
  const eventMarkers = entries
    .filter((e) => e.kind === 'Event' && e.type === 'ADDED')
    .map((e) => {
      const ev = e.object as CoreV1Event;
      return { at: e.at.getTime(), label: '', title: `${ev.type} ${ev.reason} ${ev.involvedObject?.kind}/${ev.involvedObject?.name}: ${ev.message}`, colour: ev.type === 'Warning' ? '#c62828' : '#546e7a' };
    });

  const out: string[] = [];
  let y = PAD + 28; // room for the step numbers and the axis
  const laneTop = y;
  const rows: string[] = [];
  const row = (label: string, title = label) => {
    rows.push(`<text x="${LABEL_W - 6}" y="${y + LANE_H - 4}" text-anchor="end"><title>${esc(title)}</title>${esc(clip(label, 30))}</text>`);
    const top = y;
    y += LANE_H + GAP;
    return top;
  };
  if (setMarkers.length) {
    const top = row('StatefulSet changes');
    for (const m of setMarkers) rows.push(marker(x(m.at), top, m));
  }
  for (const lane of lanes) {
    const top = row(lane.label);
    for (const s of lane.segments) {
      const w = Math.max(1.5, x(s.to) - x(s.from));
      rows.push(`<rect x="${x(s.from).toFixed(1)}" y="${top}" width="${w.toFixed(1)}" height="${LANE_H}" fill="${COLOUR[s.state]}"><title>${esc(`${lane.label}: ${s.state} ${secs(s.from - t0)}–${secs(s.to - t0)}`)}</title></rect>`);
    }
  }
  if (eventMarkers.length) {
    const top = row('events');
    for (const m of eventMarkers) rows.push(marker(x(m.at), top, m));
  }
  const laneBottom = y;

  // The failing wait's window, behind everything.
  if (failed) {
    const fx = x(failed.from.getTime());
    const w = Math.max(2, x(failed.to.getTime()) - fx);
    out.push(`<rect x="${fx.toFixed(1)}" y="${laneTop - 4}" width="${w.toFixed(1)}" height="${laneBottom - laneTop + 4}" fill="#c62828" fill-opacity="0.12" stroke="#c62828" stroke-dasharray="4 2"><title>${esc(`the wait that failed: ${failed.expected}`)}</title></rect>`);
  }
  // Step boundaries: a numbered dashed line each; their texts are listed under the chart.
  // Numbers of steps that start close together go side by side, not on top of each other.
  let lastLabelRight = -Infinity;
  steps.forEach((s, i) => {
    const sx = x(s.at.getTime());
    const lx = Math.max(sx, lastLabelRight + 3);
    lastLabelRight = lx + 7 * String(i + 1).length;
    out.push(`<line x1="${sx.toFixed(1)}" y1="${PAD + 12}" x2="${sx.toFixed(1)}" y2="${laneBottom}" stroke="#555" stroke-dasharray="2 3"/>`);
    out.push(`<text x="${lx.toFixed(1)}" y="${PAD + 8}" font-weight="bold"><title>${esc(s.text)}</title>${i + 1}</text>`);
  });
  // The time axis (target-clock seconds from the first thing seen).
  const ticks = axisTicks((t1 - t0) / 1000);
  for (const t of ticks) {
    if (t0 + t * 1000 > t1) break;
    const tx = x(t0 + t * 1000).toFixed(1);
    out.push(`<line x1="${tx}" y1="${PAD + 16}" x2="${tx}" y2="${PAD + 22}" stroke="#999"/><text x="${tx}" y="${PAD + 32 - 1}" text-anchor="middle" fill="#777" font-size="9">${t}s</text>`);
  }
  out.push(...rows);

  // Legend, the steps, and the failed wait, in words.
  let ly = laneBottom + 14;
  const legend = (['Pending', 'Running', 'Ready', 'Terminating', 'Bound'] as State[])
    .map((s, i) => `<rect x="${LABEL_W + i * 110}" y="${ly - 9}" width="12" height="10" fill="${COLOUR[s]}"/><text x="${LABEL_W + i * 110 + 16}" y="${ly}">${s}</text>`)
    .join('');
  out.push(legend);
  ly += 8;
  for (const [i, s] of steps.entries()) out.push(`<text x="${PAD}" y="${(ly += 14)}">${i + 1}. ${secs(s.at.getTime() - t0)}  ${esc(clip(s.text, 150))}</text>`);
  if (failed) {
    const cut = failed.to.getTime() > t1 ? ', drawn only up to the last change' : '';
    out.push(`<text x="${PAD}" y="${(ly += 18)}" fill="#c62828">shaded: the wait that failed (${secs(failed.from.getTime() - t0)}–${secs(failed.to.getTime() - t0)}${cut}): ${esc(clip(failed.expected, 120))}</text>`);
  }
  const height = ly + PAD;
  const width = LABEL_W + PLOT_W + PAD * 2;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">` +
    `<rect width="100%" height="100%" fill="#fff"/>${out.join('')}</svg>`
  );
}

/** One lane per incarnation (uid) of each pod or claim, in the order they appeared. */
function objectLanes(entries: readonly TimelineEntry[], kind: 'Pod' | 'PersistentVolumeClaim', end: number): Lane[] {
  const lanes = new Map<string, Lane & { open?: Segment }>();
  const incarnations = new Map<string, number>();
  for (const e of entries) {
    if (e.kind !== kind || !e.uid) continue;
    let lane = lanes.get(e.uid);
    if (!lane) {
      const n = (incarnations.get(e.name) ?? 0) + 1;
      incarnations.set(e.name, n);
      lane = { label: `${kind === 'Pod' ? 'pod' : 'claim'} ${e.name}${n > 1 ? ` #${n}` : ''} (${e.uid.slice(0, 5)})`, segments: [] };
      lanes.set(e.uid, lane);
    }
    const t = e.at.getTime();
    if (lane.open) lane.open.to = t;
    if (e.type === 'DELETED') {
      lane.open = undefined;
      continue;
    }
    const state = kind === 'Pod' ? podState(e.object as V1Pod) : claimState(e.object as V1PersistentVolumeClaim);
    if (lane.open?.state === state) {
      lane.open.to = t;
      continue;
    }
    lane.open = { from: t, to: t, state };
    lane.segments.push(lane.open);
  }
  for (const lane of lanes.values()) if (lane.open) lane.open.to = end;
  return [...lanes.values()].map(({ label, segments }) => ({ label, segments }));
}

function podState(pod: V1Pod): State {
  if (isTerminating(pod)) return 'Terminating';
  if (isReady(pod)) return 'Ready';
  const phase = pod.status?.phase;
  if (phase === 'Running') return 'Running';
  if (phase === 'Succeeded' || phase === 'Failed') return 'Finished';
  return 'Pending';
}

function claimState(claim: V1PersistentVolumeClaim): State {
  if (claim.metadata?.deletionTimestamp) return 'Terminating';
  if (claim.status?.phase === 'Bound') return 'Bound';
  if (claim.status?.phase === 'Lost') return 'Lost';
  return 'Pending';
}

/** A marker where a StatefulSet's generation or update revision changed. */
function statefulSetMarkers(entries: readonly TimelineEntry[]): Marker[] {
  const last = new Map<string, { gen?: number; rev?: string }>();
  const out: Marker[] = [];
  for (const e of entries) {
    if (e.kind !== 'StatefulSet' || e.type === 'DELETED') continue;
    const set = e.object as V1StatefulSet;
    const gen = set.metadata?.generation;
    const rev = set.status?.updateRevision;
    const prev = last.get(e.name);
    last.set(e.name, { gen, rev });
    const changes = [
      ...(!prev || prev.gen !== gen ? [`generation ${gen}`] : []),
      ...(rev && prev?.rev !== rev ? [`revision ${rev}`] : []),
    ];
    if (changes.length) out.push({ at: e.at.getTime(), label: !prev || prev.gen !== gen ? `g${gen}` : 'rev', title: `${e.name}: ${changes.join(', ')}`, colour: '#5e35b1' });
  }
  return out;
}

function marker(mx: number, top: number, m: Marker): string {
  const label = m.label ? `<text x="${(mx + 3).toFixed(1)}" y="${top + LANE_H - 4}" fill="${m.colour}" font-size="9">${esc(m.label)}</text>` : '';
  return `<g><title>${esc(m.title)}</title><rect x="${(mx - 1).toFixed(1)}" y="${top}" width="2.5" height="${LANE_H}" fill="${m.colour}"/>${label}</g>`;
}

function axisTicks(span: number): number[] {
  const step = [0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800].find((s) => span / s <= 12) ?? 3600;
  const out: number[] = [];
  for (let t = 0; t <= span + 1e-9; t += step) out.push(Math.round(t * 10) / 10);
  return out;
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
