/**
 * What a mutant is: a deliberately broken variant of the project, kept out of the production
 * code as exact-text edits that `npm run mutants` applies to a scratch copy of the tree.
 */

/** Where a mutant can run: the reference plane, or (StatefulSet controller only) hybrid. */
export type MutantTarget = 'reference' | 'hybrid';

/** One exact-text replacement: `find` must occur exactly once in `file`. */
export interface Edit {
  /** Path from the repository root. */
  file: string;
  find: string;
  replace: string;
}

export interface Mutant {
  /** Unique, kebab-case. */
  name: string;
  /** The part of the plane it breaks, e.g. statefulset-controller. */
  component: string;
  /** The guarantee area a user would notice it in. */
  area: string;
  /** The bug, in a user's words. */
  description: string;
  /**
   * Targets it runs on. `hybrid` runs the reference StatefulSet controller against the real
   * kube-apiserver, so only a mutant confined to reference/controllers/statefulset/ can use it.
   */
  targets: MutantTarget[];
  edits: Edit[];
}

/** Files the hybrid target takes from reference/: the StatefulSet controller. */
export const HYBRID_FILES = 'reference/controllers/statefulset/';

/** Why a catalogue entry is malformed (independent of the tree), or undefined. */
export function malformed(m: Mutant): string | undefined {
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(m.name)) return 'the name must be kebab-case';
  if (!m.component || !m.area || !m.description) return 'component, area and description are required';
  if (!m.edits.length) return 'no edits';
  if (!m.targets.includes('reference')) return 'every mutant runs on the reference target';
  for (const e of m.edits) {
    if (!e.find) return `an empty find in ${e.file}`;
    if (e.find === e.replace) return `an edit of ${e.file} that changes nothing`;
  }
  if (m.targets.includes('hybrid') && m.edits.some((e) => !e.file.startsWith(HYBRID_FILES))) {
    return `declares hybrid but edits files outside ${HYBRID_FILES}, which the hybrid target does not run`;
  }
  return undefined;
}

/**
 * Applies the mutant's edits to the files `read` returns, in order (several edits may touch
 * one file). Returns the mutated contents by file, or why the mutant no longer applies.
 */
export function applyEdits(m: Mutant, read: (file: string) => string): { files: Map<string, string> } | { stale: string } {
  const files = new Map<string, string>();
  for (const e of m.edits) {
    let text: string;
    try {
      text = files.get(e.file) ?? read(e.file);
    } catch {
      return { stale: `${e.file} does not exist` };
    }
    const at = text.indexOf(e.find);
    if (at < 0) return { stale: `${e.file}: the text to replace is gone: ${firstLine(e.find)}` };
    if (text.indexOf(e.find, at + 1) >= 0) return { stale: `${e.file}: the text to replace occurs more than once: ${firstLine(e.find)}` };
    files.set(e.file, text.slice(0, at) + e.replace + text.slice(at + e.find.length));
  }
  return { files };
}

function firstLine(s: string): string {
  const line = s.trim().split('\n')[0];
  return JSON.stringify(line.length > 80 ? `${line.slice(0, 77)}...` : line);
}
