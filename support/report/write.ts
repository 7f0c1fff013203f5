/**
 * Writes reports/conformance.md and .html from every run found in reports/: the suite's runs
 * (conformance-<target>.json, not the .interrupted ones) and upstream's e2e runs
 * (e2e-upstream-<target>.json). Both runners call it, so either keeps the other's results.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderHtml, renderMarkdown, type Guarantee, type TargetRun } from './conformance.ts';
import { loadUpstreamRuns } from '../upstream-e2e/report.ts';

export function loadTargetRuns(dir = 'reports'): TargetRun[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /^conformance-.+(?<!\.interrupted)\.json$/.test(f))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as TargetRun);
}

export function writeConformanceReports(dir: string, catalogue: Record<string, Guarantee>): TargetRun[] {
  const runs = loadTargetRuns(dir);
  const upstream = loadUpstreamRuns(dir);
  writeFileSync(join(dir, 'conformance.md'), renderMarkdown(runs, catalogue, upstream));
  writeFileSync(join(dir, 'conformance.html'), renderHtml(runs, catalogue, { hasLogs: (t) => existsSync(join(dir, t, 'logs')), upstream }));
  return runs;
}
