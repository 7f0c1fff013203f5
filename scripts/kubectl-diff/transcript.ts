/**
 * kubectl transcripts: what a session printed (see sessions/lib.sh), normalised so that what
 * legitimately differs between two clusters running the same commands reads the same, and split
 * into steps (one command and what it printed).
 *
 * Normalised: uids, resourceVersions, timestamps and ages, IPs, event names (`<object>.<nanos
 * in hex>`), node names (where the scheduler puts a pod is its own choice), counts of repeated
 * events, column padding. NOT normalised: ControllerRevision names and the
 * controller-revision-hash labels, which must be equal for the same spec.
 */

export interface Step {
  /** The command line as the session printed it (`$ kubectl …`), or '' for text before the first. */
  command: string;
  /** The lines it printed, normalised, ending with `[exit N]`. */
  lines: string[];
}

const RULES: Array<[RegExp, string]> = [
  // Timestamps: RFC 3339 (yaml/json/jsonpath), Go's time.Time String, describe's RFC 1123Z.
  [/\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)/g, '<time>'],
  [/\b\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? [+-]\d{4}( [A-Z]{3,4}\b)?/g, '<time>'],
  [/\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d [+-]\d{4}/g, '<time>'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g, '<uid>'],
  // resourceVersion in yaml, json and jsonpath/custom-columns output.
  [/(resource ?version\\?"?:\s*\\?"?)\d+/gi, '$1<rv>'],
  [/(Expected resource version to be \d+, was )\d+/g, '$1<rv>'],
  [/\b(\d{1,3}\.){3}\d{1,3}(\/\d+)?\b/g, '<ip>'],
  // Event names: "<involved object>.<unix nanos in hex>" (client-go's recorder).
  [/\.[0-9a-f]{14,17}\b/g, '.<event>'],
  [/\bsim-node-\d+\b/g, '<node>'],
  // generateName suffixes (EndpointSlices, the service-account token volume): 5 of the safe runes.
  [/\b(kube-api-access|[a-z0-9]+(?:-[a-z0-9]+)*)-[bcdfghjklmnpqrstvwxz2456789]{5}\b/g, '$1-<generated>'],
  // kubectl diff's temporary directories.
  [/\b(LIVE|MERGED)-\d+\b/g, '$1-<n>'],
  // Repeated events in describe ("3s (x4 over 10s)") and tables (COUNT-ish columns are absent in 1.37).
  [/\(x\d+ over [^)]*\)/g, '(x<n> over <age>)'],
  // Ages and durations as kubectl prints them (duration.HumanDuration): 5s, 2m3s, 4h, 3d5h, <invalid>.
  [/(^|\s)(\d+[smhdy])(\d+[smhd])?(?=\s|$)/g, '$1<age>'],
  [/\b\d+(\.\d+)?(ms|µs|s)\b(?= ago| elapsed)/g, '<duration>'],
];

/** One line as it should compare: rules applied, column padding collapsed, trailing space gone. */
export function normaliseLine(line: string): string {
  let out = line;
  for (const [re, to] of RULES) out = out.replace(re, to);
  return out.replace(/[ \t]+/g, ' ').trimEnd();
}

/** A session's raw output as steps with normalised lines. */
export function parseTranscript(raw: string): Step[] {
  const steps: Step[] = [];
  let current: Step = { command: '', lines: [] };
  for (const line of raw.replace(/\r/g, '').split('\n')) {
    if (line.startsWith('$ ')) {
      if (current.command || current.lines.length) steps.push(current);
      current = { command: line, lines: [] };
    } else {
      current.lines.push(normaliseLine(line));
    }
  }
  // The trailing newline's empty line.
  while (current.lines.length && current.lines.at(-1) === '') current.lines.pop();
  if (current.command || current.lines.length) steps.push(current);
  return steps;
}

export function renderSteps(steps: Step[]): string[] {
  return steps.flatMap((s) => (s.command ? [s.command, ...s.lines] : s.lines));
}

/**
 * The ControllerRevision names a session listed: the first column of what every
 * `kubectl get controllerrevisions` step printed (sessions/lib.sh's `revisions`).
 */
export function revisionNames(steps: Step[]): string[] {
  const names = new Set<string>();
  for (const s of steps) {
    if (!/ get (controllerrevisions|controllerrevision|revisions)\b/.test(s.command)) continue;
    for (const line of s.lines) {
      const first = line.split(' ')[0]!;
      if (first && first !== 'NAME' && !line.startsWith('[exit') && /^[a-z0-9-]+$/.test(first)) names.add(first);
    }
  }
  return [...names].sort();
}
