// The scenario's generated events, enumerated without a server: for asserting that what a
// connector delivered equals the scenario's event set (by log stream + eventId).
import type { Scenario } from "./model.js";
import { GeneratedEvents } from "./generated-events.js";
import { makeCorpus } from "./messages.js";
import { hashString } from "./prng.js";
import { groupKeyName, streamKey } from "./account.js";

export interface ExpectedEvent {
  readonly logGroupName: string;
  /** The account that holds the group (the scenario's accountId or the group's own). */
  readonly accountId: string;
  readonly logStreamName: string;
  readonly eventId: string;
  readonly timestamp: number;
  readonly ingestionTime: number;
  readonly message: string;
}

export interface ExpectedOptions {
  /** Only events ingested at or before this simulator time (late arrivals excluded until then). */
  readonly visibleAt?: number;
  /** Only events with startTime <= timestamp < endTime. */
  readonly startTime?: number;
  readonly endTime?: number;
  /** Skip building messages (faster when only ids are compared). */
  readonly withoutMessages?: boolean;
}

/** Streams the generated events of every group, stream by stream in index order. */
export function* expectedEvents(scenario: Scenario, options: ExpectedOptions = {}): Generator<ExpectedEvent> {
  const corpus = makeCorpus(scenario.settings.seed);
  for (const group of scenario.groups) {
    const accountId = group.accountId ?? scenario.settings.accountId;
    const keyName = groupKeyName(group.name, accountId === scenario.settings.accountId ? undefined : accountId);
    const groupKey = hashString(keyName);
    let ordinal = 0;
    for (const stream of group.streams) {
      const ord = ordinal++ * 2;
      if (!stream.generated) continue;
      const src = new GeneratedEvents(
        stream.name,
        ord,
        stream.generated,
        streamKey(scenario.settings.seed, keyName, stream.name),
        groupKey,
        corpus,
      );
      for (let i = 0; i < src.length(); i++) {
        const timestamp = src.timestampAt(i);
        if (options.startTime !== undefined && timestamp < options.startTime) continue;
        if (options.endTime !== undefined && timestamp >= options.endTime) break;
        const ingestionTime = src.ingestionAt(i);
        if (options.visibleAt !== undefined && ingestionTime > options.visibleAt) continue;
        yield {
          logGroupName: group.name,
          accountId,
          logStreamName: stream.name,
          eventId: src.eventIdAt(i),
          timestamp,
          ingestionTime,
          message: options.withoutMessages ? "" : src.messageAt(i),
        };
      }
    }
  }
}
