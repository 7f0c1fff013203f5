/**
 * The reference control plane's clock.
 *
 * Every component of the reference target (API server timestamps, controllers, the node
 * simulator) reads time from one Clock, so that grace periods and minReadySeconds can run
 * faster than real time without changing their meaning: with `scale = 20`, one simulated
 * second passes in 50 real milliseconds, and every timestamp the API shows is simulated time.
 * Against a real API server the scale is 1 and simulated time is wall-clock time.
 */
export interface Clock {
  /** Simulated seconds per real second. */
  readonly scale: number;
  now(): Date;
  nowMs(): number;
  /** Runs `fn` after `simulatedMs` of simulated time. */
  after(simulatedMs: number, fn: () => void): Timer;
  /** Converts a simulated duration to the real milliseconds it takes. */
  toRealMs(simulatedMs: number): number;
}

export interface Timer {
  cancel(): void;
}

export class ScaledClock implements Clock {
  private readonly originReal: number;
  constructor(
    readonly scale = 1,
    private readonly originSimulated = Date.now(),
  ) {
    if (!(scale > 0)) throw new Error(`clock scale must be positive, got ${scale}`);
    this.originReal = Date.now();
  }

  nowMs(): number {
    return this.originSimulated + (Date.now() - this.originReal) * this.scale;
  }

  now(): Date {
    return new Date(this.nowMs());
  }

  toRealMs(simulatedMs: number): number {
    return Math.max(0, simulatedMs / this.scale);
  }

  after(simulatedMs: number, fn: () => void): Timer {
    const handle = setTimeout(fn, this.toRealMs(simulatedMs));
    handle.unref?.();
    return { cancel: () => clearTimeout(handle) };
  }
}

export const realClock: Clock = new ScaledClock(1);

/** Kubernetes serialises metav1.Time with second precision (RFC 3339, no fraction). */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
