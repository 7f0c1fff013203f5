/**
 * Stub `kind` and `docker` executables (test/fixtures/kind-stub) that record their arguments
 * and print what kind and docker print: no Docker engine runs on the machines this suite is
 * developed on. Used by test/kind.test.ts and test/integration/kind-run.test.ts.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ROOT } from './runner-helpers.ts';

export const STUBS = resolve(ROOT, 'test/fixtures/kind-stub');

export interface Call {
  tool: 'kind' | 'docker';
  argv: string[];
  config?: string;
}

/** A fresh stub world: its own state and call log. */
export function stubEnv(extra: Record<string, string> = {}): { env: NodeJS.ProcessEnv; calls: () => Call[]; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sts-kind-stub-'));
  const log = join(dir, 'calls.ndjson');
  const env = {
    ...process.env,
    KIND: join(STUBS, 'kind'),
    DOCKER: join(STUBS, 'docker'),
    STUB_NODE: process.execPath,
    STUB_LOG: log,
    STUB_STATE: join(dir, 'state.json'),
    ...extra,
  };
  const calls = () =>
    existsSync(log)
      ? readFileSync(log, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Call)
      : [];
  return { env, calls, dir };
}

export const argvOf = (calls: Call[]) => calls.map((c) => `${c.tool} ${c.argv.join(' ')}`);
