// One ordered run of events inside a log stream (generated, or seeded by PutLogEvents).
// Sources are merged by the key (timestamp, ord, tiebreak); within a source that key is increasing.

export interface EventSource {
  /** Merge order among sources of one group: streamOrdinal * 2 + (0 generated | 1 seeded). */
  readonly ord: number;
  readonly streamName: string;
  /** JSON-encoded stream name, reused for every event fragment. */
  readonly streamNameJson: string;
  /** True when every message is ASCII, so string length is byte length. */
  readonly asciiOnly: boolean;
  length(): number;
  timestampAt(i: number): number;
  ingestionAt(i: number): number;
  tiebreakAt(i: number): number;
  messageAt(i: number): string;
  /** A message of this source as a JSON string literal (generated text needs no escaping). */
  messageJson(message: string): string;
  eventIdAt(i: number): string;
}

/** A position in merge order; `null` means "before the first event". */
export type MergeKey = readonly [timestamp: number, ord: number, tiebreak: number];

/** First index in [lo, hi) for which pred holds, given pred is monotone (false...true). */
export function searchFirst(lo: number, hi: number, pred: (i: number) => boolean): number {
  while (lo < hi) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (pred(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** First index whose timestamp is >= ts. */
export function lowerBoundTime(src: EventSource, ts: number): number {
  return searchFirst(0, src.length(), (i) => src.timestampAt(i) >= ts);
}

/** First index whose merge key is greater than `key` (strictly after it). */
export function firstAfter(src: EventSource, key: MergeKey): number {
  const [ts, ord, tb] = key;
  if (src.ord < ord) return searchFirst(0, src.length(), (i) => src.timestampAt(i) > ts);
  if (src.ord > ord) return lowerBoundTime(src, ts);
  return searchFirst(0, src.length(), (i) => {
    const t = src.timestampAt(i);
    return t > ts || (t === ts && src.tiebreakAt(i) > tb);
  });
}

/** First index whose merge key is >= `key`. */
export function firstAtOrAfter(src: EventSource, key: MergeKey): number {
  const [ts, ord, tb] = key;
  if (src.ord < ord) return searchFirst(0, src.length(), (i) => src.timestampAt(i) > ts);
  if (src.ord > ord) return lowerBoundTime(src, ts);
  return searchFirst(0, src.length(), (i) => {
    const t = src.timestampAt(i);
    return t > ts || (t === ts && src.tiebreakAt(i) >= tb);
  });
}
