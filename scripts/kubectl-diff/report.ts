/** The kubectl differential's report: a verdict per section, the allowed differences with their reasons, unified diffs. */
import type { AllowEntry, SectionResult } from './compare.ts';

export function renderReport(results: Array<SectionResult & { seconds: number }>, stale: AllowEntry[], seconds: number) {
  const count = (v: string) => results.filter((r) => r.verdict === v).length;
  const md: string[] = [
    '# kubectl differential: reference vs upstream v1.37.2',
    '',
    `${results.length} sections: ${count('same')} same, ${count('allowed')} differ only as allowed, ${count('differs')} differ. ${seconds.toFixed(0)} s.`,
    '',
    '| section | verdict | steps | differing (allowed) | revision names | s |',
    '|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    const allowed = r.differing.filter((d) => d.allowedBy).length;
    const revs = r.revisions.equal ? `equal (${r.revisions.reference.length})` : `**differ**: ${r.revisions.reference.join(' ')} / ${r.revisions.upstream.join(' ')}`;
    md.push(`| ${r.section} | ${r.verdict === 'differs' ? '**differs**' : r.verdict} | ${r.steps} | ${r.differing.length} (${allowed}) | ${revs} | ${r.seconds.toFixed(0)} |`);
  }
  if (stale.length) {
    md.push('', '## Allow-list entries that matched nothing (remove them)', '');
    for (const e of stale) md.push(`- ${e.section}${e.step ? ` \`${e.step}\`` : ''}: ${e.reason}`);
  }
  for (const r of results.filter((x) => x.differing.length || !x.revisions.equal)) {
    md.push('', `## ${r.section}: ${r.verdict}`, '');
    for (const d of r.differing) md.push(`- ${d.allowedBy ? 'allowed' : '**not allowed**'}: \`${d.command.replace(/`/g, "'")}\`${d.allowedBy ? ` — ${d.allowedBy.reason}` : ''}`);
    md.push('', '```diff', r.diff, '```');
  }
  const json = {
    seconds,
    sections: results.map((r) => ({
      section: r.section,
      verdict: r.verdict,
      steps: r.steps,
      seconds: r.seconds,
      revisions: r.revisions,
      differing: r.differing.map((d) => ({ command: d.command, allowed: d.allowedBy?.reason ?? null })),
      diff: r.diff,
    })),
    staleAllowEntries: stale,
  };
  return { markdown: md.join('\n') + '\n', json };
}
