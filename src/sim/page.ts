// Fills one response page from a merge: at most maxEvents events or maxBytes of serialized
// events, and at most maxScan events examined (as AWS, a selective filter yields short or empty
// pages that still carry a nextToken). Invisible events (ingested after "now") are skipped.
import type { EventSource, MergeKey } from "./event-source.js";
import type { Merge } from "./merge.js";
import type { Matcher } from "./filter-pattern.js";

/** AWS's page caps. */
export const MAX_PAGE_EVENTS = 10_000;
export const MAX_PAGE_BYTES = 1_048_576;

export interface PageLimits {
  readonly maxEvents: number;
  readonly maxBytes: number;
  readonly maxScan: number;
}

export type Render = (src: EventSource, i: number, timestamp: number, ingestionTime: number, message: string) => string;

export interface Page {
  readonly fragments: string[];
  readonly bytes: number;
  /** Key of the last event examined (emitted or skipped), the resume point. */
  readonly lastKey: MergeKey | undefined;
  readonly exhausted: boolean;
}

export function fillPage(merge: Merge, limits: PageLimits, now: number, matches: Matcher | undefined, render: Render): Page {
  const fragments: string[] = [];
  let bytes = 0;
  let scanned = 0;
  let lastSrc: EventSource | undefined;
  let lastI = 0;
  let lastTs = 0;
  for (let c = merge.top(); c; c = merge.top()) {
    if (fragments.length >= limits.maxEvents || scanned >= limits.maxScan) break;
    const src = c.src;
    const i = c.i;
    const ts = c.ts;
    const ingestion = src.ingestionAt(i);
    scanned++;
    if (ingestion <= now) {
      const message = src.messageAt(i);
      if (!matches || matches(message)) {
        const fragment = render(src, i, ts, ingestion, message);
        const size = src.asciiOnly ? fragment.length : Buffer.byteLength(fragment);
        // The cap is on the page, but one oversized event must still make progress.
        if (bytes + size > limits.maxBytes && fragments.length > 0) break;
        fragments.push(fragment);
        bytes += size;
      }
    }
    lastSrc = src;
    lastI = i;
    lastTs = ts;
    merge.advance();
  }
  return {
    fragments,
    bytes,
    lastKey: lastSrc ? [lastTs, lastSrc.ord, lastSrc.tiebreakAt(lastI)] : undefined,
    exhausted: merge.top() === undefined,
  };
}
