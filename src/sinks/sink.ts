import type { LogEvent } from "../domain/logs.js";

/** Where a stream's events go: records on stdout, or staged raw files. */
export interface EventSink {
  /**
   * Delivers events of one page (all inside one window). May stop early once `signal` aborts,
   * and then throws its reason: the page was not delivered whole.
   */
  deliver(events: readonly LogEvent[], signal?: AbortSignal): Promise<void>;
  /**
   * The stream's watermark may advance to `watermark`; returns how far the state may say so
   * (a file sink announces finished files first, and holds the state back to open ones).
   */
  commit(watermark: number): number;
  /** End of the stream: everything below `watermark` is delivered before its last state. */
  close(watermark: number): number;
  /** Windows of the stream that may be read at once (files are written in time order). */
  readonly maxWindowsInFlight: number;
}
