// Cancellation: Airbyte cancels a sync with SIGTERM, a person with Ctrl-C (SIGINT). One
// AbortSignal tells the scheduler and the readers to start nothing new; the states of the
// windows completed so far still go out, then the process exits 128 + the signal number.
import type { EventEmitter } from "node:events";

/** Exit code per signal, as a shell reports a process that a signal ended. */
export const CANCEL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
export type CancelSignal = keyof typeof CANCEL_EXIT_CODES;
const SIGNALS = Object.keys(CANCEL_EXIT_CODES) as CancelSignal[];

/** Why work stopped: the abort reason, so a cut-short stream is told apart from a failed one. */
export class Cancelled extends Error {
  constructor(readonly by: CancelSignal) {
    super(`cancelled by ${by}`);
    this.name = "Cancelled";
  }
}

export interface Cancellation {
  readonly signal: AbortSignal;
  /** The signal that cancelled, if any. */
  readonly by: CancelSignal | undefined;
  /** Stops listening (the process's default handling of the signals returns). */
  dispose(): void;
}

/** Aborts on the first SIGTERM or SIGINT from `signals` (the process); without it, never. */
export function watchCancellation(signals: EventEmitter | undefined): Cancellation {
  const controller = new AbortController();
  let by: CancelSignal | undefined;
  const handlers = SIGNALS.map((name) => {
    const handler = () => {
      if (by !== undefined) return;
      by = name;
      controller.abort(new Cancelled(name));
    };
    signals?.on(name, handler);
    return [name, handler] as const;
  });
  return {
    signal: controller.signal,
    get by() {
      return by;
    },
    dispose: () => {
      for (const [name, handler] of handlers) signals?.off(name, handler);
    },
  };
}

/**
 * A cancellation for one part of a longer run (a cycle of `sync --follow`): it aborts when
 * `parent` does, and its dispose() drops its one listener on the parent, so the listeners that the
 * part's work leaves on its own signal go with it instead of piling up on the parent's.
 */
export function childCancellation(parent: Cancellation): Cancellation {
  const controller = new AbortController();
  const forward = () => controller.abort(parent.signal.reason);
  if (parent.signal.aborted) forward();
  else parent.signal.addEventListener("abort", forward, { once: true });
  return {
    signal: controller.signal,
    get by() {
      return parent.by;
    },
    dispose: () => parent.signal.removeEventListener("abort", forward),
  };
}

/**
 * Settles like `work`, or rejects with the abort reason as soon as `signal` aborts: the work is
 * abandoned (its result, if it ever comes, is ignored).
 */
export function unlessCancelled<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(err);
      },
    );
  });
}

export function isCancelled(err: unknown): err is Cancelled {
  return err instanceof Cancelled;
}
