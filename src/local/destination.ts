// An in-process Airbyte destination: takes the connector's protocol output (JSON lines) and
// commits each stream's records to the store when the STATE covering them arrives. Records
// after a stream's last STATE are never committed; the next sync reads them again.
import { Writable } from "node:stream";
import type { LocalStore, LogRecord } from "./store.js";
import type { ProgressTracker } from "./progress.js";

interface Message {
  type?: string;
  record?: { stream: string; data: LogRecord };
  state?: { stream?: { stream_descriptor: { name: string }; stream_state: Record<string, unknown> } };
  trace?: {
    type?: string;
    stream_status?: { stream_descriptor: { name: string }; status: string };
    error?: { message: string; stream_descriptor?: { name: string } };
  };
  log?: { level: string; message: string };
}

export class Destination extends Writable {
  private readonly buffers = new Map<string, LogRecord[]>();
  private rest = "";

  constructor(
    private readonly store: LocalStore,
    private readonly tracker: ProgressTracker,
  ) {
    // Back-pressure: the connector waits while a commit is in progress.
    super({ decodeStrings: false, highWaterMark: 1 << 20 });
  }

  /** Records received but not committed, per stream (what an interruption discards). */
  uncommitted(): ReadonlyMap<string, number> {
    return new Map([...this.buffers].map(([s, b]) => [s, b.length]));
  }

  override _write(chunk: string | Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const text = this.rest + (typeof chunk === "string" ? chunk : chunk.toString("utf8"));
    const lines = text.split("\n");
    this.rest = lines.pop() ?? "";
    const done = this.handle(lines);
    done.then(() => callback(), (err: Error) => callback(err));
  }

  private async handle(lines: readonly string[]): Promise<void> {
    for (const line of lines) {
      if (line === "") continue;
      const msg = JSON.parse(line) as Message;
      if (msg.type === "RECORD" && msg.record) {
        const { stream, data } = msg.record;
        let buffer = this.buffers.get(stream);
        if (!buffer) this.buffers.set(stream, (buffer = []));
        buffer.push(data);
        this.tracker.received(stream, 1);
      } else if (msg.type === "STATE" && msg.state?.stream) {
        const stream = msg.state.stream.stream_descriptor.name;
        const records = this.buffers.get(stream) ?? [];
        this.buffers.delete(stream);
        await this.store.commit(stream, records, msg.state.stream.stream_state);
        this.tracker.committed(stream, records.length, msg.state.stream.stream_state);
      } else if (msg.type === "TRACE" && msg.trace?.type === "STREAM_STATUS" && msg.trace.stream_status) {
        this.tracker.status(msg.trace.stream_status.stream_descriptor.name, msg.trace.stream_status.status);
      } else if (msg.type === "TRACE" && msg.trace?.type === "ERROR" && msg.trace.error) {
        const where = msg.trace.error.stream_descriptor?.name;
        this.tracker.note(`${where ? `${where}: ` : ""}${msg.trace.error.message}`);
      } else if (msg.type === "LOG" && msg.log && (msg.log.level === "WARN" || msg.log.level === "ERROR" || msg.log.level === "FATAL")) {
        this.tracker.note(msg.log.message);
      }
    }
  }
}
