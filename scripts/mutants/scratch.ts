/**
 * Scratch copies of the repository for `npm run mutants`: the project's files as git sees them
 * in the working tree (tracked and untracked, not ignored), with node_modules linked, so that a
 * mutant is applied to a copy and never to the checkout.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The files of the project: what `git ls-files` lists in the working tree, reports/ aside. */
export function projectFiles(root: string): string[] {
  let out: string;
  try {
    out = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  } catch (err) {
    throw new Error(`mutants copy the project's files as git lists them, and git ls-files failed in ${root}: ${(err as Error).message.split('\n')[0]}`);
  }
  // node_modules is linked, not copied (a symlinked node_modules is listed here as a file).
  return out.split('\0').filter((f) => f && f !== 'node_modules' && !f.startsWith('reports/') && existsSync(join(root, f)));
}

/** Copies the files into dest (which must not exist) and links root's node_modules there. */
export function copyProject(root: string, files: string[], dest: string): void {
  for (const f of files) {
    mkdirSync(dirname(join(dest, f)), { recursive: true });
    copyFileSync(join(root, f), join(dest, f));
  }
  symlinkSync(join(root, 'node_modules'), join(dest, 'node_modules'), 'dir');
}

/** A copy of a copy, node_modules link included. */
export function copyScratch(from: string, dest: string): void {
  cpSync(from, dest, { recursive: true, verbatimSymlinks: true });
}

/** Writes mutated files (repository paths -> contents) into the copy at dir. */
export function writeFiles(dir: string, files: Map<string, string>): void {
  for (const [file, text] of files) writeFileSync(join(dir, file), text);
}
