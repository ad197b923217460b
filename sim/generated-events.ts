// A generated stream: every field of event i is a pure function of (seed, group, stream, i).
// Timestamps are non-decreasing in i, so time bounds are found by binary search and a group of
// 10 million events costs a few numbers of memory.
import type { EventSource } from "./event-source.js";
import type { GeneratedStreamSpec } from "./model.js";
import { hashIndex, mix32, unit } from "./prng.js";
import { makeMessage } from "./messages.js";
import { eventIdMiddle, eventIdWith } from "./event-id.js";

export class GeneratedEvents implements EventSource {
  readonly asciiOnly: boolean;
  readonly streamNameJson: string;
  private readonly step: number;
  private readonly delayRange: number;
  private readonly idMiddle: string;
  private readonly plainText: boolean;
  // One-entry cache: a page asks for the timestamp, ingestion time, message and id of the same i.
  private cachedI = -1;
  private cachedHash = 0;
  private cachedTs = 0;

  constructor(
    readonly streamName: string,
    readonly ord: number,
    private readonly spec: GeneratedStreamSpec,
    private readonly key: number, // hash of (seed, group, stream)
    groupKey: number,
    private readonly corpus: string,
  ) {
    this.streamNameJson = JSON.stringify(streamName);
    this.asciiOnly = /^[\x20-\x7e]*$/.test(streamName); // messages are ASCII; the name may not be
    this.step = spec.count > 0 ? (spec.end - spec.start) / spec.count : 0;
    this.delayRange = Math.max(0, spec.maxDelayMs - spec.minDelayMs) + 1;
    this.idMiddle = eventIdMiddle(groupKey, ord);
    this.plainText = spec.shape === "text";
  }

  length(): number {
    return this.spec.count;
  }

  private hash(i: number): number {
    if (i !== this.cachedI) this.load(i);
    return this.cachedHash;
  }

  private load(i: number): void {
    const h = hashIndex(this.key, i);
    // (i + jitter) * step with jitter in [0,1) keeps timestamps non-decreasing in i.
    const t = this.spec.start + Math.floor((i + unit(h)) * this.step);
    this.cachedI = i;
    this.cachedHash = h;
    this.cachedTs = t < this.spec.end ? t : this.spec.end - 1;
  }

  timestampAt(i: number): number {
    if (i !== this.cachedI) this.load(i);
    return this.cachedTs;
  }

  ingestionAt(i: number): number {
    const h = mix32(this.hash(i) ^ 0x1a7e);
    const late = unit(mix32(h)) < this.spec.lateFraction ? this.spec.lateDelayMs : 0;
    return this.timestampAt(i) + this.spec.minDelayMs + (h % this.delayRange) + late;
  }

  tiebreakAt(i: number): number {
    return i;
  }

  messageAt(i: number): string {
    return makeMessage(this.spec.shape, this.spec.size, this.corpus, this.hash(i), this.timestampAt(i));
  }

  messageJson(message: string): string {
    // Text messages are corpus words and fixed ASCII without quotes or backslashes.
    return this.plainText ? `"${message}"` : JSON.stringify(message);
  }

  eventIdAt(i: number): string {
    return eventIdWith(this.timestampAt(i), this.idMiddle, i);
  }
}
