// Events written with PutLogEvents, kept sorted by (timestamp, arrival sequence). The arrival
// sequence is the tiebreak, so resume positions stay valid when older events arrive later.
import type { EventSource } from "./event-source.js";
import { searchFirst } from "./event-source.js";
import { eventIdFor } from "./event-id.js";

interface SeededEvent {
  readonly timestamp: number;
  readonly ingestionTime: number;
  readonly seq: number;
  readonly message: string;
}

export class SeededEvents implements EventSource {
  readonly asciiOnly = false;
  readonly streamNameJson: string;
  private readonly events: SeededEvent[] = [];
  private seq = 0;

  constructor(
    readonly streamName: string,
    readonly ord: number,
    private readonly groupKey: number,
  ) {
    this.streamNameJson = JSON.stringify(streamName);
  }

  add(timestamp: number, message: string, ingestionTime: number): void {
    const event = { timestamp, ingestionTime, seq: this.seq++, message };
    const last = this.events[this.events.length - 1];
    if (!last || last.timestamp <= timestamp) {
      this.events.push(event);
      return;
    }
    const at = searchFirst(0, this.events.length, (i) => (this.events[i] as SeededEvent).timestamp > timestamp);
    this.events.splice(at, 0, event);
  }

  length(): number {
    return this.events.length;
  }
  private at(i: number): SeededEvent {
    return this.events[i] as SeededEvent;
  }
  timestampAt(i: number): number {
    return this.at(i).timestamp;
  }
  ingestionAt(i: number): number {
    return this.at(i).ingestionTime;
  }
  tiebreakAt(i: number): number {
    return this.at(i).seq;
  }
  messageAt(i: number): string {
    return this.at(i).message;
  }
  messageJson(message: string): string {
    return JSON.stringify(message);
  }
  eventIdAt(i: number): string {
    const e = this.at(i);
    return eventIdFor(e.timestamp, this.groupKey, this.ord, e.seq);
  }
  storedBytes(): number {
    let n = 0;
    for (const e of this.events) n += e.message.length + 26;
    return n;
  }
}
