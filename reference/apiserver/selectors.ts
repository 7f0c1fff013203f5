/**
 * Label and field selectors: the string syntax of k8s.io/apimachinery/pkg/labels and
 * pkg/fields, and metav1.LabelSelector objects.
 */
import { badRequest } from './errors.ts';
import { arr, isObject, obj, str, type JsonObject } from './json.ts';
import { isQualifiedName, isValidLabelValue } from './validation.ts';

export type Operator = 'exists' | '!' | '=' | '!=' | 'in' | 'notin' | 'gt' | 'lt';

export interface Requirement {
  key: string;
  op: Operator;
  values: string[];
}

export type Labels = Record<string, string>;

export interface Selector {
  readonly empty: boolean;
  matches(labels: Labels | undefined): boolean;
}

export const everything: Selector = { empty: true, matches: () => true };

class RequirementSelector implements Selector {
  constructor(private readonly reqs: Requirement[]) {}
  get empty(): boolean {
    return this.reqs.length === 0;
  }
  matches(labels: Labels | undefined): boolean {
    const l = labels ?? {};
    return this.reqs.every((r) => matchRequirement(r, l));
  }
}

function matchRequirement(r: Requirement, labels: Labels): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const v = has ? labels[r.key] : undefined;
  switch (r.op) {
    case 'exists':
      return has;
    case '!':
      return !has;
    case '=':
    case 'in':
      return has && r.values.includes(v!);
    case '!=':
    case 'notin':
      return !has || !r.values.includes(v!);
    case 'gt':
    case 'lt': {
      if (!has) return false;
      const n = Number(v);
      if (!Number.isInteger(n)) return false;
      return r.op === 'gt' ? n > Number(r.values[0]) : n < Number(r.values[0]);
    }
  }
}

function parseError(detail: string): Error {
  return badRequest(`unable to parse requirement: ${detail}`);
}

function checkKey(key: string): void {
  const errs = isQualifiedName(key);
  if (errs.length) throw parseError(`key: Invalid value: ${JSON.stringify(key)}: ${errs.join('; ')}`);
}

function checkValue(v: string): void {
  const errs = isValidLabelValue(v);
  if (errs.length) throw parseError(`values[0]: Invalid value: ${JSON.stringify(v)}: ${errs.join('; ')}`);
}

/** Splits on commas that are not inside a parenthesised value set. */
function splitTerms(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of s) {
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  if (depth !== 0) throw badRequest(`unable to parse requirement: found '(' without matching ')' in ${JSON.stringify(s)}`);
  out.push(cur);
  return out;
}

const SET_TERM = /^\s*(\S+?)\s+(in|notin)\s*\(([^()]*)\)\s*$/;
const OP_TERM = /^\s*([^\s=!<>]+)\s*(==|=|!=|>|<)\s*([^\s=!<>]*)\s*$/;

export function parseLabelSelector(s: string | undefined): Selector {
  if (s === undefined || s.trim() === '') return everything;
  const reqs: Requirement[] = [];
  for (const raw of splitTerms(s)) {
    const term = raw.trim();
    if (!term) throw badRequest(`unable to parse requirement: found '', expected: identifier in ${JSON.stringify(s)}`);
    let m: RegExpMatchArray | null;
    if ((m = SET_TERM.exec(term))) {
      const key = m[1]!;
      checkKey(key);
      const values = m[3]!.split(',').map((v) => v.trim());
      if (values.length === 1 && values[0] === '') throw parseError(`for 'in', 'notin' operators, values set can't be empty`);
      values.forEach(checkValue);
      reqs.push({ key, op: m[2] as Operator, values });
    } else if ((m = OP_TERM.exec(term))) {
      const key = m[1]!;
      checkKey(key);
      const value = m[3]!;
      const op = m[2]!;
      if (op === '>' || op === '<') {
        if (!/^-?\d+$/.test(value)) throw parseError(`for 'Gt', 'Lt' operators, the value must be an integer`);
        reqs.push({ key, op: op === '>' ? 'gt' : 'lt', values: [value] });
      } else {
        checkValue(value);
        reqs.push({ key, op: op === '!=' ? '!=' : '=', values: [value] });
      }
    } else if (/^!\s*\S+$/.test(term)) {
      const key = term.slice(1).trim();
      checkKey(key);
      reqs.push({ key, op: '!', values: [] });
    } else if (/^\S+$/.test(term)) {
      checkKey(term);
      reqs.push({ key: term, op: 'exists', values: [] });
    } else {
      throw badRequest(`unable to parse requirement: invalid label selector term ${JSON.stringify(term)}`);
    }
  }
  return new RequirementSelector(reqs);
}

/** metav1.LabelSelector → requirements (LabelSelectorAsSelector). Returns undefined if malformed. */
function labelSelectorRequirements(sel: JsonObject): Requirement[] | undefined {
  const reqs: Requirement[] = [];
  const matchLabels = obj(sel.matchLabels) ?? {};
  for (const [k, v] of Object.entries(matchLabels)) reqs.push({ key: k, op: '=', values: [String(v)] });
  for (const e of arr(sel.matchExpressions)) {
    const expr = obj(e);
    const key = str(expr?.key);
    if (!expr || !key) return undefined;
    const values = arr(expr.values).map(String);
    switch (expr.operator) {
      case 'In':
        reqs.push({ key, op: 'in', values });
        break;
      case 'NotIn':
        reqs.push({ key, op: 'notin', values });
        break;
      case 'Exists':
        reqs.push({ key, op: 'exists', values: [] });
        break;
      case 'DoesNotExist':
        reqs.push({ key, op: '!', values: [] });
        break;
      default:
        return undefined;
    }
  }
  return reqs;
}

export function labelSelectorMatches(sel: unknown, labels: Labels | undefined): boolean {
  if (!isObject(sel)) return false;
  const reqs = labelSelectorRequirements(sel);
  return reqs !== undefined && new RequirementSelector(reqs).matches(labels);
}

/** The canonical string form (Selector.String()): requirements sorted by key, values sorted. */
export function labelSelectorString(sel: unknown): string {
  if (!isObject(sel)) return '';
  const reqs = labelSelectorRequirements(sel) ?? [];
  return reqs
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((r) => {
      const vals = [...r.values].sort();
      switch (r.op) {
        case 'exists':
          return r.key;
        case '!':
          return `!${r.key}`;
        case '=':
          return `${r.key}=${vals[0]}`;
        case 'in':
        case 'notin':
          return `${r.key} ${r.op} (${vals.join(',')})`;
        default:
          return r.key;
      }
    })
    .join(',');
}

export interface FieldRequirement {
  field: string;
  equal: boolean;
  value: string;
}

export interface FieldSelector {
  readonly empty: boolean;
  readonly requirements: FieldRequirement[];
  matches(fields: Record<string, string>): boolean;
}

/** Parses `a=b,c!=d` with backslash escapes; `supported` lists the fields the kind can select on. */
export function parseFieldSelector(s: string | undefined, supported: ReadonlySet<string>): FieldSelector {
  const requirements: FieldRequirement[] = [];
  if (s !== undefined && s.trim() !== '') {
    for (const term of splitEscaped(s, ',')) {
      const m = /^(.*?)(==|!=|=)(.*)$/s.exec(term);
      if (!m) throw badRequest(`invalid selector: '${s}'; can't understand '${term}'`);
      const field = m[1]!.trim();
      if (!supported.has(field)) throw badRequest(`field label not supported: ${field}`);
      requirements.push({ field, equal: m[2] !== '!=', value: unescape(m[3]!) });
    }
  }
  return {
    empty: requirements.length === 0,
    requirements,
    matches: (fields) => requirements.every((r) => (fields[r.field] === r.value) === r.equal),
  };
}

function splitEscaped(s: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && i + 1 < s.length) {
      cur += c + s[i + 1];
      i++;
    } else if (c === sep) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function unescape(s: string): string {
  return s.replace(/\\(.)/g, '$1');
}
