// Fills one response page from a merge: at most maxEvents events or maxBytes of serialized
// events, and at most maxScan events examined (as AWS, a selective filter yields short or empty
// pages that still carry a nextToken). Invisible events (ingested after "now") are skipped.
import type { EventSource, MergeKey } from "./event-source.js";
import type { Merge } from "./merge.js";
import type { Matcher } from "./filter-pattern.js";
import type { PageBuffer } from "./page-buffer.js";

/** AWS's page caps. */
export const MAX_PAGE_EVENTS = 10_000;
export const MAX_PAGE_BYTES = 1_048_576;

export interface PageLimits {
  readonly maxEvents: number;
  readonly maxBytes: number;
  readonly maxScan: number;
}

/** Writes one event's JSON object into the page. */
export type Render = (
  out: PageBuffer,
  src: EventSource,
  i: number,
  timestamp: number,
  ingestionTime: number,
  message: string,
) => void;

export interface Page {
  readonly count: number;
  readonly bytes: number;
  /** Key of the last event examined (emitted or skipped), the resume point. */
  readonly lastKey: MergeKey | undefined;
  readonly exhausted: boolean;
}

/** Appends matching visible events, comma separated, to `out`. */
export function fillPage(
  out: PageBuffer,
  merge: Merge,
  limits: PageLimits,
  now: number,
  matches: Matcher | undefined,
  render: Render,
): Page {
  const begin = out.length;
  let count = 0;
  let scanned = 0;
  let lastSrc: EventSource | undefined;
  let lastI = 0;
  let lastTs = 0;
  for (let c = merge.top(); c; c = merge.top()) {
    if (count >= limits.maxEvents || scanned >= limits.maxScan) break;
    const src = c.src;
    const i = c.i;
    const ts = c.ts;
    const ingestion = src.ingestionAt(i);
    scanned++;
    if (ingestion <= now) {
      const message = src.messageAt(i);
      if (!matches || matches(message)) {
        const mark = out.length;
        if (count > 0) out.ascii(",");
        render(out, src, i, ts, ingestion, message);
        // The cap is on the page, but one oversized event must still make progress.
        if (out.length - begin > limits.maxBytes && count > 0) {
          out.truncate(mark);
          break;
        }
        count++;
      }
    }
    lastSrc = src;
    lastI = i;
    lastTs = ts;
    merge.advance();
  }
  return {
    count,
    bytes: out.length - begin,
    lastKey: lastSrc ? [lastTs, lastSrc.ord, lastSrc.tiebreakAt(lastI)] : undefined,
    exhausted: merge.top() === undefined,
  };
}
