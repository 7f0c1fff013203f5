/**
 * What a suite run is about to run, known before Cucumber starts: every feature path given
 * exists, the feature files parse, and at least one scenario matches — a run of nothing is a
 * mistake (a typo in a path or a tag), not a pass. Also sizes the run: never more parallel
 * workers than scenarios, since each worker loads all the support code and starts a target of
 * its own, and a single scenario runs in the runner's own process (no worker at all).
 */
import { existsSync } from 'node:fs';
import { loadConfiguration, loadSources, type IRunConfiguration } from '@cucumber/cucumber/api';

export type Plan = { scenarios: number } | { problem: string };

export async function planRun(config: IRunConfiguration): Promise<Plan> {
  // A path may carry line numbers (features/x.feature:12:30); `@rerun.txt` names a rerun file.
  const missing = config.sources.paths.map((p) => p.replace(/(:\d+)+$/, '').replace(/^@/, '')).filter((p) => !existsSync(p));
  if (missing.length) return { problem: `no such feature file or directory: ${missing.join(', ')}` };
  const { plan, errors } = await loadSources(config.sources);
  if (errors.length) {
    const where = (e: (typeof errors)[number]) => `${e.uri}${e.location ? `:${e.location.line}${e.location.column ? `:${e.location.column}` : ''}` : ''}`;
    // Gherkin's messages start with their own "(line:column): ".
    return { problem: errors.map((e) => `${where(e)}: ${e.message.replace(/^\(\d+:\d+\): /, '').split('\n')[0]}`).join('; ') };
  }
  if (!plan.length) {
    const where = config.sources.paths.length ? config.sources.paths.join(' ') : 'features/';
    return { problem: `no scenario matched: ${where} with tags "${config.sources.tagExpression}"` };
  }
  config.runtime.parallel = plan.length === 1 ? 0 : Math.min(config.runtime.parallel, plan.length);
  return { scenarios: plan.length };
}

/** The same check for tools that run the suite in child processes: the selection of a profile. */
export async function planSelection(profile: string, paths: string[], tags?: string): Promise<Plan> {
  const { runConfiguration } = await loadConfiguration({ profiles: [profile], provided: { ...(paths.length ? { paths } : {}), ...(tags ? { tags } : {}) } });
  return planRun(runConfiguration);
}
