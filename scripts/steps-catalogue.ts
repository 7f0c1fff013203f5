/**
 * `npm run steps [-- --check]`
 *
 * Writes docs/steps.md, the catalogue of the suite's steps, from the step definitions Cucumber
 * loads (steps/*.steps.ts) and the features that use them: grouped by domain, each step with
 * its pattern, its parameters, an example from the features (file and line), how often it is
 * used, and whether it acts, checks at once, waits for something (and how its deadline works)
 * or asserts that something holds for a while.
 *
 *   --check   write nothing; exit 1 if docs/steps.md is not what the step definitions make
 *             (CI runs this: a new or changed step must come with its catalogue entry)
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseCli } from './lib/cli.ts';

const { values } = parseCli({ name: 'steps', usage: new URL(import.meta.url), options: { check: { type: 'boolean', default: false } } });
const CATALOGUE = 'docs/steps.md';

const { loadConfiguration, loadSupport } = await import('@cucumber/cucumber/api');

interface Definition {
  pattern: string;
  keyword: string;
  uri: string;
  line: number;
  matchesStepName(text: string): boolean;
}

const { runConfiguration } = await loadConfiguration({ profiles: ['reference'], provided: { format: [] } });
const library = (await loadSupport(runConfiguration)) as unknown as { stepDefinitions: Definition[] };
const definitions = library.stepDefinitions.filter((d) => d.uri.startsWith('steps/'));

/** Titles of the steps files, in the order the catalogue lists them. */
const DOMAINS: Record<string, string> = {
  statefulset: 'StatefulSets: creating, scaling, reading status',
  pods: 'Pods: readiness control, lifecycle, ordering',
  rollout: 'Rolling updates, partitions and revisions',
  volumes: 'Volumes, claims and retention',
  api: 'The API: validation, defaulting, subresources, errors',
  dns: 'DNS',
  events: 'Events',
  nodes: 'Nodes and node faults',
  namespace: 'Namespaces',
  owners: 'Owners and garbage collection',
  watch: 'Watches through a selector',
  'control-plane': 'Control-plane faults',
};

// Every step used in the features, with where.
const uses: { text: string; where: string }[] = [];
for (const file of readdirSync('features').filter((f) => f.endsWith('.feature')).sort()) {
  readFileSync(join('features', file), 'utf8')
    .split('\n')
    .forEach((line, i) => {
      const m = /^\s*(?:Given|When|Then|And|But|\*)\s+(.+?)\s*$/.exec(line);
      if (m) uses.push({ text: m[1]!, where: `features/${file}:${i + 1}` });
    });
}

/** The source of each steps file, and the bodies of its local helper functions. */
const sources = new Map<string, string[]>();
const lines = (uri: string) => sources.get(uri) ?? sources.set(uri, readFileSync(uri, 'utf8').split('\n')).get(uri)!;
const TOP_LEVEL = /^(Given|When|Then|defineStep|export |async function|function|const|let|\/\*\*|\/\/|import)/;

/** A top-level block of a steps file from `line` (1-based) to the next top-level statement. */
function block(uri: string, line: number): string {
  const src = lines(uri);
  let end = line;
  while (end < src.length && !(TOP_LEVEL.test(src[end]!) && !/^\s/.test(src[end]!))) end++;
  return src.slice(line - 1, end).join('\n');
}

/** The block and, two levels deep, the blocks of the file's own functions it calls. */
function reach(uri: string, text: string, depth = 2): string {
  if (depth === 0) return text;
  const src = lines(uri);
  let out = text;
  for (const [, name] of text.matchAll(/\b([a-zA-Z_]\w*)\(/g)) {
    const at = src.findIndex((l) => new RegExp(`^(export )?(async )?function ${name}\\b`).test(l));
    if (at >= 0 && !out.includes(src[at]!)) out += `\n${reach(uri, block(uri, at + 1), depth - 1)}`;
  }
  return out;
}

/** The doc comment right above a definition, as one paragraph. */
function docComment(uri: string, line: number): string {
  const src = lines(uri);
  let i = line - 2;
  const comment: string[] = [];
  while (i >= 0 && /^\s*(\/\/|\*|\/\*\*)/.test(src[i]!)) comment.unshift(src[i--]!);
  return comment
    .map((l) => l.replace(/^\s*(\/\*\*|\*\/|\*|\/\/)\s?/, '').replace(/\*\/\s*$/, ''))
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function behaviour(d: Definition): string {
  const body = reach(d.uri, block(d.uri, d.line));
  const seconds = /\{int\} seconds?|\{int\} second\(s\)/.test(d.pattern);
  if (/\.throughout\(/.test(body)) return '**holds for N seconds** (the given seconds)';
  if (/\.until\(|\.observed\(|\.caughtUp\(|waitFor|\.resolve\(/.test(body)) {
    return `**waits** (deadline: ${seconds ? 'the given seconds' : '120 s on the target\'s clock'}, never less than 15 s real time)`;
  }
  if (d.keyword === 'Then') return '**checks at once**';
  return '**acts**';
}

const entries = definitions.map((d) => {
  const used = uses.filter((u) => {
    try {
      return d.matchesStepName(u.text);
    } catch {
      return false;
    }
  });
  const params = [...d.pattern.matchAll(/\{(\w*)\}/g)].map((m) => `{${m[1]}}`);
  return { d, domain: basename(d.uri).replace(/\.steps\.ts$/, ''), used, params, doc: docComment(d.uri, d.line), behaviour: behaviour(d) };
});

const domains = [...new Set([...Object.keys(DOMAINS), ...entries.map((e) => e.domain)])].filter((dom) => entries.some((e) => e.domain === dom));
const md = [
  '# Step catalogue',
  '',
  '<!-- Generated by `npm run steps` from the step definitions in steps/ and their use in features/. Do not edit: CI checks it is current. -->',
  '',
  `${entries.length} steps. Each is listed with its parameters, an example from the features and what it does about time:`,
  '',
  '- **acts**: does something (creates, patches, deletes, stops a node) and returns once the API has answered.',
  '- **checks at once**: asserts on what the harness has recorded (the timeline of watch events) or reads from the API, without waiting.',
  "- **waits**: re-checks its condition on every change the watches record, with no polling and no sleep, and fails at a deadline on the target's clock (simulated seconds on the reference target's fast clock, but never less than 15 s of real time, so a busy machine does not fail it). The failure says what it expected and what it saw last, and the scenario's swimlane shades the window it waited in.",
  '- **holds for N seconds**: asserts that something stays true for that long: the first change that breaks it fails the step.',
  '',
  'Parameters: `{string}` is a quoted string, `{int}` a whole number; lists of names are written `"web-0, web-1"`. A step with a doc string takes YAML (a manifest or a patch); errors in it name the feature file and line.',
  '',
  ...domains.map((dom) => `- [${DOMAINS[dom] ?? dom}](#${slug(DOMAINS[dom] ?? dom)})`),
];
for (const dom of domains) {
  md.push('', `## ${DOMAINS[dom] ?? dom}`, '', `From \`steps/${dom}.steps.ts\`.`, '');
  for (const e of entries.filter((x) => x.domain === dom).sort((a, b) => a.d.pattern.localeCompare(b.d.pattern))) {
    md.push(`### ${e.d.keyword} ${e.d.pattern.replace(/([*_`|<>])/g, '\\$1')}`, '');
    if (e.doc) md.push(e.doc, '');
    const docString = /:\s*$/.test(e.d.pattern) ? ' and a YAML doc string' : '';
    md.push(`- parameters: ${e.params.length ? e.params.join(', ') : 'none'}${docString}`);
    md.push(`- ${e.behaviour}`);
    md.push(e.used.length ? `- example: \`${e.d.keyword} ${e.used[0]!.text}\` (${e.used[0]!.where}); used ${e.used.length} time${e.used.length === 1 ? '' : 's'}` : '- not used by any feature yet');
    md.push(`- defined at ${e.d.uri}:${e.d.line}`, '');
  }
}
const text = md.join('\n').replace(/\n+$/, '\n');

if (values.check) {
  let current = '';
  try {
    current = readFileSync(CATALOGUE, 'utf8');
  } catch {
    // missing: stale
  }
  if (current !== text) {
    console.error(`steps: ${CATALOGUE} is stale (the step definitions or their use changed): run \`npm run steps\` and commit it`);
    process.exit(1);
  }
  console.log(`steps: ${CATALOGUE} is current (${entries.length} steps)`);
} else {
  writeFileSync(CATALOGUE, text);
  console.log(`steps: wrote ${CATALOGUE} (${entries.length} steps in ${domains.length} domains)`);
}

function slug(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, '')
    .replace(/ /g, '-');
}
