// Stream metadata as DescribeLogStreams reports it, computed from visible events only.
import type { LogGroup, LogStream } from "../account.js";
import { lowerBoundTime, type EventSource } from "../event-source.js";

export interface StreamView {
  readonly logStreamName: string;
  readonly creationTime: number;
  readonly firstEventTimestamp?: number;
  readonly lastEventTimestamp?: number;
  readonly lastIngestionTime?: number;
  readonly uploadSequenceToken: string;
  readonly arn: string;
  readonly storedBytes: number;
}

/** Events stamped up to now; late events are ignored here (AWS's values are eventually consistent too). */
function visibleRange(src: EventSource, now: number): [number, number] {
  return [0, lowerBoundTime(src, now + 1)];
}

export function streamView(group: LogGroup, stream: LogStream, now: number): StreamView {
  let first: number | undefined;
  let last: number | undefined;
  let lastIngestion: number | undefined;
  let bytes = 0;
  for (const src of stream.sources()) {
    const [lo, hi] = visibleRange(src, now);
    if (hi <= lo) continue;
    const f = src.timestampAt(lo);
    const l = src.timestampAt(hi - 1);
    first = first === undefined ? f : Math.min(first, f);
    last = last === undefined ? l : Math.max(last, l);
    lastIngestion = Math.max(lastIngestion ?? 0, Math.min(now, src.ingestionAt(hi - 1)));
    bytes += (hi - lo) * (src.messageAt(lo).length + 26);
  }
  return {
    logStreamName: stream.name,
    creationTime: stream.creationTime,
    ...(first !== undefined
      ? { firstEventTimestamp: first, lastEventTimestamp: last, lastIngestionTime: lastIngestion }
      : {}),
    uploadSequenceToken: "49039859613988508409448290963709327283098396213893427106",
    arn: `${group.arn}:log-stream:${stream.name}`,
    storedBytes: bytes,
  };
}

export function groupStoredBytes(group: LogGroup, now: number): number {
  let n = 0;
  for (const s of group.streams.values()) n += streamView(group, s, now).storedBytes;
  return n;
}
