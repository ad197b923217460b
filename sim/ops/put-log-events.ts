// PutLogEvents with AWS's batch rules: chronological order, at most 24 h span, 10,000 events,
// 1,048,576 bytes (message bytes + 26 each); events older than 14 days (or the retention) or more
// than 2 h in the future are rejected individually via rejectedLogEventsInfo.
import { json, type OpContext, type OpResult } from "./context.js";
import { groupRef, optString, type Input } from "../params.js";
import { constraintViolation, groupNotFound, invalidParameter, SimError, streamNotFound } from "../errors.js";

const DAY = 86_400_000;

interface InputEvent {
  readonly timestamp: number;
  readonly message: string;
}

function readEvents(input: Input): InputEvent[] {
  const raw = input.logEvents;
  if (!Array.isArray(raw)) throw new SimError("SerializationException", "Unexpected value type for member logEvents");
  if (raw.length < 1)
    throw constraintViolation("logEvents", "[]", "Member must have length greater than or equal to 1");
  if (raw.length > 10_000)
    throw constraintViolation(
      "logEvents",
      `${raw.length} events`,
      "Member must have length less than or equal to 10000",
    );
  return raw.map((e: unknown) => {
    const ev = e as Partial<InputEvent> | null;
    if (!ev || typeof ev.timestamp !== "number" || typeof ev.message !== "string") {
      throw new SimError("SerializationException", "Each log event needs a numeric timestamp and a string message");
    }
    if (ev.message.length === 0)
      throw constraintViolation("logEvents.member.message", "", "Member must have length greater than or equal to 1");
    return { timestamp: ev.timestamp, message: ev.message };
  });
}

export function putLogEvents(ctx: OpContext, input: Input): OpResult {
  const ref = groupRef(input);
  const streamName = optString(input, "logStreamName", 512);
  const events = readEvents(input);
  const group = ctx.account.findGroup(ref);
  if (!group) throw groupNotFound();
  const stream = streamName === undefined ? undefined : group.streams.get(streamName);
  if (!stream) throw streamNotFound();
  for (let i = 1; i < events.length; i++) {
    if ((events[i] as InputEvent).timestamp < (events[i - 1] as InputEvent).timestamp) {
      throw invalidParameter("Log events in a single PutLogEvents request must be in chronological order.");
    }
  }
  if ((events[events.length - 1] as InputEvent).timestamp - (events[0] as InputEvent).timestamp > DAY) {
    throw invalidParameter("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.");
  }
  const bytes = events.reduce((n, e) => n + Buffer.byteLength(e.message) + 26, 0);
  if (bytes > 1_048_576) throw invalidParameter("Upload too large: the batch exceeds 1,048,576 bytes.");

  const tooOldBefore = ctx.now - 14 * DAY;
  const expiredBefore = group.retentionInDays !== undefined ? ctx.now - group.retentionInDays * DAY : -Infinity;
  const tooNewAfter = ctx.now + 2 * 3_600_000;
  let tooOldEnd = -1;
  let expiredEnd = -1;
  let tooNewStart = -1;
  events.forEach((e, i) => {
    if (e.timestamp < expiredBefore) expiredEnd = i;
    else if (e.timestamp < tooOldBefore) tooOldEnd = i;
    else if (e.timestamp > tooNewAfter) {
      if (tooNewStart < 0) tooNewStart = i;
    } else stream.seeded.add(e.timestamp, e.message, ctx.now);
  });
  const rejected = {
    ...(tooNewStart >= 0 ? { tooNewLogEventStartIndex: tooNewStart } : {}),
    ...(tooOldEnd >= 0 ? { tooOldLogEventEndIndex: Math.max(tooOldEnd, expiredEnd) } : {}),
    ...(expiredEnd >= 0 ? { expiredLogEventEndIndex: expiredEnd } : {}),
  };
  return json({
    nextSequenceToken: String(stream.seeded.length()).padStart(56, "0"),
    ...(Object.keys(rejected).length > 0 ? { rejectedLogEventsInfo: rejected } : {}),
  });
}
