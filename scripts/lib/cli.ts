/**
 * Command-line options for every script under scripts/: node's strict `util.parseArgs`, plus
 * `--help`/`-h`, which prints the usage and exits 0 before the script does anything. Bad input
 * (an unknown option, a missing value, a stray argument, a number that is not one) is one line
 * on stderr and exit code 2, the usual exit code of a usage error.
 */
import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;
const HELP = { help: { type: 'boolean', short: 'h', default: false } } as const;

export interface CliSpec<O extends Options, P extends boolean> {
  /** How errors are prefixed: the npm script's name (`conformance`, `bench`, …). */
  name: string;
  /** What --help prints: a text, or the URL of the script whose leading doc comment is its usage. */
  usage: string | URL;
  options: O;
  allowPositionals?: P;
  /** Default: process.argv.slice(2). */
  args?: string[];
}

export function parseCli<const O extends Options, const P extends boolean = false>(spec: CliSpec<O, P>) {
  const config = {
    args: spec.args ?? process.argv.slice(2),
    options: { ...spec.options, ...HELP },
    allowPositionals: (spec.allowPositionals ?? false) as P,
    strict: true as const,
  };
  let parsed: ReturnType<typeof parseArgs<typeof config>>;
  try {
    parsed = parseArgs(config);
  } catch (err) {
    // Node's first sentence is the message ("Unknown option '--x'"); the rest is advice on `--`.
    const message = (err as Error).message.split('. ')[0]!.replace(/^[A-Z]/, (c) => c.toLowerCase());
    usageError(spec.name, message);
  }
  if ((parsed.values as { help?: boolean }).help) {
    console.log(typeof spec.usage === 'string' ? spec.usage : docComment(spec.usage));
    process.exit(0);
  }
  return parsed;
}

/** A usage error: one line, exit code 2. */
export function usageError(name: string, message: string): never {
  console.error(`${name}: ${message} (--help for usage)`);
  process.exit(2);
}

/** An option's value as a whole number ≥ min, or a usage error naming the option. */
export function intOption(name: string, option: string, value: string, min = 0): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < min) usageError(name, `--${option} must be a whole number ≥ ${min}, not "${value}"`);
  return n;
}

/** The first /** … *\/ comment of a source file, without its comment markers. */
export function docComment(file: URL): string {
  const text = readFileSync(file, 'utf8');
  const match = /\/\*\*([\s\S]*?)\*\//.exec(text);
  if (!match) return '';
  return match[1]!
    .split('\n')
    .map((line) => line.replace(/^\s*\* ?/, ''))
    .join('\n')
    .trim();
}
