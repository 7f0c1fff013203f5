/**
 * Type-checks mutated trees in-process with the TypeScript compiler API. The unmutated project
 * (tsconfig.json, as `tsc -p .`) is checked once; a mutant's program reuses its parsed files and
 * checks only what the mutant can change: the mutated files and every file that imports one of
 * them, directly or through others. About a second a mutant instead of a whole `tsc` run.
 */
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import ts from 'typescript';

export class MutantTypeChecker {
  private readonly options: ts.CompilerOptions;
  private readonly rootNames: string[];
  private readonly host: ts.CompilerHost;
  private readonly base: ts.Program;
  /** file -> the project files that import it. */
  private readonly importers = new Map<string, Set<string>>();

  /** Builds the program of the project at root (its tsconfig.json). */
  constructor(private readonly root: string) {
    const config = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), {}, {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(`tsconfig.json: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
      },
    });
    if (!config) throw new Error(`no tsconfig.json in ${root}`);
    this.options = config.options;
    this.rootNames = config.fileNames;
    this.host = ts.createCompilerHost(this.options);
    this.base = ts.createProgram({ rootNames: this.rootNames, options: this.options, host: this.host });
    for (const sf of this.base.getSourceFiles()) {
      if (sf.isDeclarationFile || this.base.isSourceFileFromExternalLibrary(sf)) continue;
      for (const imported of ts.preProcessFile(sf.text, true, true).importedFiles) {
        const target = ts.resolveModuleName(imported.fileName, sf.fileName, this.options, this.host).resolvedModule?.resolvedFileName;
        if (!target) continue;
        const set = this.importers.get(target) ?? new Set<string>();
        set.add(sf.fileName);
        this.importers.set(target, set);
      }
    }
  }

  /** The unmutated project's errors (what `tsc -p .` reports). */
  projectErrors(): string[] {
    return this.format(ts.getPreEmitDiagnostics(this.base));
  }

  /** Errors with the given files (repository paths) holding the given text. */
  check(mutated: Map<string, string>): string[] {
    const texts = new Map([...mutated].map(([file, text]) => [resolve(this.root, file), text]));
    const host: ts.CompilerHost = {
      ...this.host,
      readFile: (f) => texts.get(resolve(f)) ?? this.host.readFile(f),
      getSourceFile: (f, languageVersion, onError, shouldCreate) => {
        const text = texts.get(resolve(f));
        if (text === undefined) return this.base.getSourceFile(f) ?? this.host.getSourceFile(f, languageVersion, onError, shouldCreate);
        const sf = ts.createSourceFile(f, text, languageVersion);
        // Program structure reuse compares versions: a changed file needs a new one.
        (sf as { version?: string }).version = createHash('sha1').update(text).digest('hex');
        return sf;
      },
    };
    const program = ts.createProgram({ rootNames: this.rootNames, options: this.options, host, oldProgram: this.base });
    const diagnostics: ts.Diagnostic[] = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()];
    for (const file of this.affected([...texts.keys()])) {
      const sf = program.getSourceFile(file);
      if (!sf) {
        diagnostics.push({ category: ts.DiagnosticCategory.Error, code: 0, file: undefined, start: undefined, length: undefined, messageText: `${file} is not part of the project` });
        continue;
      }
      diagnostics.push(...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf));
    }
    return this.format(diagnostics);
  }

  /** The files and everything that imports them, transitively. */
  private affected(files: string[]): Set<string> {
    const seen = new Set<string>();
    const todo = files.map((f) => this.base.getSourceFile(f)?.fileName ?? f);
    while (todo.length) {
      const f = todo.pop()!;
      if (seen.has(f)) continue;
      seen.add(f);
      todo.push(...(this.importers.get(f) ?? []));
    }
    return seen;
  }

  private format(diagnostics: readonly ts.Diagnostic[]): string[] {
    return diagnostics
      .filter((d) => d.category === ts.DiagnosticCategory.Error)
      .map((d) => {
        const message = ts.flattenDiagnosticMessageText(d.messageText, ' ');
        if (!d.file || d.start === undefined) return `error TS${d.code}: ${message}`;
        const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
        return `${d.file.fileName.slice(this.root.length + 1)}(${line + 1},${character + 1}): error TS${d.code}: ${message}`;
      });
  }
}
