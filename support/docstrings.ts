/**
 * Where a step came from, and YAML doc strings parsed with errors that point into the feature
 * file: a typo in a manifest fails its own scenario with "features/x.feature:42:7: …", not a
 * bare YAML message that leaves the reader hunting for the doc string.
 */
import type { ITestStepHookParameter } from '@cucumber/cucumber';
import YAML from 'yaml';

export interface StepSource {
  /** Feature file, relative to the project. */
  uri: string;
  /** Line of the step keyword. */
  line: number;
  /** Line of the doc string's opening delimiter, when the step has one. */
  docStringLine?: number;
  /** The step's keyword as written ("Given ", "And "). */
  keyword?: string;
}

type GherkinDocument = ITestStepHookParameter['gherkinDocument'];
type Feature = NonNullable<GherkinDocument['feature']>;
type Step = NonNullable<Feature['children'][number]['scenario']>['steps'][number];
type Child = { background?: { steps: readonly Step[] }; scenario?: { steps: readonly Step[] }; rule?: { children: readonly Child[] } };

/** Finds the Gherkin step a pickle step was made from. */
export function stepSource(doc: GherkinDocument, pickleStep: ITestStepHookParameter['pickleStep'], uri: string): StepSource | undefined {
  const id = pickleStep.astNodeIds[0];
  const steps: Step[] = [];
  const collect = (children: readonly Child[]) => {
    for (const c of children) {
      if (c.background) steps.push(...c.background.steps);
      if (c.scenario) steps.push(...c.scenario.steps);
      if (c.rule) collect(c.rule.children);
    }
  };
  collect(doc.feature?.children ?? []);
  const step = steps.find((s) => s.id === id);
  if (!step) return undefined;
  return { uri, line: step.location.line, docStringLine: step.docString?.location.line, keyword: step.keyword };
}

/** Parses a doc string as a YAML mapping; errors name the feature file, the line and the YAML error. */
export function yamlDocString(text: string, source?: StepSource): Record<string, unknown> {
  const where = (relLine?: number, col?: number) => {
    if (!source) return 'doc string';
    if (source.docStringLine === undefined || relLine === undefined) return `${source.uri}:${source.line}`;
    // The doc string's content starts on the line after its opening delimiter.
    return `${source.uri}:${source.docStringLine + relLine}${col ? `:${col}` : ''}`;
  };
  const doc = YAML.parseDocument(text, { prettyErrors: true });
  const err = doc.errors[0];
  if (err) {
    const pos = err.linePos?.[0];
    throw new Error(`${where(pos?.line, pos?.col)}: malformed YAML in the doc string: ${err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`);
  }
  const value: unknown = doc.toJS();
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${where()}: the doc string must be a YAML mapping, got: ${text.slice(0, 200)}`);
  }
  return value as Record<string, unknown>;
}
