// The JSON-lines store: DIR/<safe stream name>.jsonl gets each committed record's data as one
// line, and DIR/_state.json (an array of STATE messages, usable as `read --state`) is replaced
// atomically after the records it covers are appended. A crash between the two can repeat
// records in a file on the next sync (at-least-once); a Ctrl-C cannot, since it waits for the
// commit in progress.
import { appendFile, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CLEAN_COMMIT, type CommitReport, type LocalStore, type LogRecord } from "./store.js";
import { assignNames } from "./table-names.js";

const STATE_FILE = "_state.json";

/** The record's data as one line; message_json is spliced in as the connector wrote it (exact). */
function jsonLine(r: LogRecord): string {
  const { messageJsonText, ...fields } = r;
  const line = JSON.stringify(fields);
  return messageJsonText === undefined ? line : `${line.slice(0, -1)},"message_json":${messageJsonText ?? "null"}}`;
}

export class JsonlStore implements LocalStore {
  private readonly states = new Map<string, Record<string, unknown>>();

  private constructor(
    readonly location: string,
    private readonly files: ReadonlyMap<string, string>,
  ) {}

  static async open(directory: string, streams: readonly string[]): Promise<JsonlStore> {
    await mkdir(directory, { recursive: true });
    const names = assignNames(streams, new Map());
    const store = new JsonlStore(directory, new Map([...names].map(([s, n]) => [s, join(directory, `${n}.jsonl`)])));
    for (const [stream, state] of await store.readStateFile()) store.states.set(stream, state);
    return store;
  }

  fileOf(stream: string): string | undefined {
    return this.files.get(stream);
  }

  private async readStateFile(): Promise<Map<string, Record<string, unknown>>> {
    let text: string;
    try {
      text = await readFile(join(this.location, STATE_FILE), "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return new Map();
      throw err;
    }
    const messages = JSON.parse(text) as { stream: { stream_descriptor: { name: string }; stream_state: Record<string, unknown> } }[];
    return new Map(messages.map((m) => [m.stream.stream_descriptor.name, m.stream.stream_state]));
  }

  async loadStates(): Promise<ReadonlyMap<string, Record<string, unknown>>> {
    return new Map(this.states);
  }

  async commit(stream: string, records: readonly LogRecord[], state: Record<string, unknown>): Promise<CommitReport> {
    const file = this.files.get(stream);
    if (file === undefined) throw new Error(`no file for stream ${JSON.stringify(stream)}`);
    if (records.length > 0) await appendFile(file, records.map(jsonLine).join("\n") + "\n");
    this.states.set(stream, state);
    const messages = [...this.states].map(([name, s]) => ({ type: "STREAM", stream: { stream_descriptor: { name }, stream_state: s } }));
    const path = join(this.location, STATE_FILE);
    await writeFile(`${path}.tmp`, JSON.stringify(messages, null, 1) + "\n");
    await rename(`${path}.tmp`, path);
    return CLEAN_COMMIT;
  }

  async close(): Promise<void> {
    // Every commit is complete on disk when it resolves.
  }
}
