/** Helpers for the server-side Table columns kubectl prints. */
import { obj, str, type JsonObject } from '../json.ts';

/** duration.HumanDuration, as kubectl's AGE column shows it. */
export function humanDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (d < 8) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  if (d < 365 * 2) return `${d}d`;
  return `${Math.floor(d / 365)}y`;
}

export function age(o: JsonObject, nowMs: number): string {
  const created = str(obj(o.metadata)?.creationTimestamp);
  return created ? humanDuration((nowMs - Date.parse(created)) / 1000) : '<unknown>';
}
