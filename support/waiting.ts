/**
 * Watch-driven waits. A wait re-checks its condition on every change the timeline records and
 * fails at a deadline; nothing polls and nothing sleeps. Durations are in target-clock seconds
 * (simulated seconds on a fast reference clock), so a scenario's numbers mean the same thing on
 * every target.
 */
import type { Clock } from '../reference/clock.ts';
import type { Timeline } from './timeline.ts';

/** The outcome of one check: `true`/a value when satisfied, otherwise what was seen instead. */
export type Check<T> = () => { ok: true; value: T } | { ok: false; seen: string };

export const ok = <T>(value: T) => ({ ok: true as const, value });
export const notYet = (seen: string) => ({ ok: false as const, seen });

export class WaitFailure extends Error {
  constructor(
    readonly expected: string,
    readonly seen: string,
    readonly seconds: number,
    kind: 'within' | 'throughout',
  ) {
    super(
      kind === 'within'
        ? `Expected ${expected} within ${seconds}s, but it did not happen.\nLast seen: ${seen}`
        : `Expected ${expected} throughout ${seconds}s, but it stopped holding.\nSeen: ${seen}`,
    );
    this.name = 'WaitFailure';
  }
}

/**
 * A scaled clock shrinks budgets, but a busy machine still needs real time to run controllers:
 * no wait gives up in less than this many real milliseconds.
 */
const MIN_REAL_DEADLINE_MS = 15_000;

/** The target-clock window of the last wait that failed, for the scenario's swimlane. */
export interface FailedWait {
  expected: string;
  from: Date;
  to: Date;
}

export class Waiter {
  lastFailure?: FailedWait;

  constructor(
    private readonly timeline: Timeline,
    private readonly clock: Clock,
    private readonly signal?: AbortSignal,
  ) {}

  /** Resolves with the check's value once it holds; rejects with what was seen at the deadline. */
  until<T>(expected: string, check: Check<T>, seconds = 120): Promise<T> {
    const from = this.clock.now();
    return new Promise<T>((resolve, reject) => {
      let last = '';
      let done = false;
      const finish = (fn: () => void) => {
        if (done) return;
        done = true;
        unsubscribe();
        clearTimeout(timer);
        this.signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const evaluate = () => {
        let result: ReturnType<Check<T>>;
        try {
          result = check();
        } catch (err) {
          return finish(() => reject(err));
        }
        if (result.ok) finish(() => resolve(result.value));
        else last = result.seen;
      };
      const onAbort = () => finish(() => reject(new Error(`interrupted while waiting for ${expected}`)));
      const unsubscribe = this.timeline.subscribe(evaluate);
      const timer = setTimeout(
        () => finish(() => reject(this.failed(new WaitFailure(expected, last, seconds, 'within'), from))),
        Math.max(this.clock.toRealMs(seconds * 1000), MIN_REAL_DEADLINE_MS),
      );
      this.signal?.addEventListener('abort', onAbort);
      evaluate();
    });
  }

  /**
   * Resolves if the check holds on every change for `seconds` of target time; rejects at the
   * first change that breaks it. This is how "nothing happens" (halting) is asserted.
   */
  throughout(expected: string, check: Check<unknown>, seconds: number): Promise<void> {
    const from = this.clock.now();
    return new Promise<void>((resolve, reject) => {
      let done = false;
      const finish = (fn: () => void) => {
        if (done) return;
        done = true;
        unsubscribe();
        window.cancel();
        this.signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const evaluate = () => {
        const result = check();
        if (!result.ok) finish(() => reject(this.failed(new WaitFailure(expected, result.seen, seconds, 'throughout'), from)));
      };
      const onAbort = () => finish(() => reject(new Error(`interrupted while checking ${expected}`)));
      const unsubscribe = this.timeline.subscribe(evaluate);
      const window = this.clock.after(seconds * 1000, () => finish(resolve));
      this.signal?.addEventListener('abort', onAbort);
      evaluate();
    });
  }

  private failed(err: WaitFailure, from: Date): WaitFailure {
    this.lastFailure = { expected: err.expected, from, to: this.clock.now() };
    return err;
  }
}
