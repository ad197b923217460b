// Runs stream readers on a fixed number of workers: windows of streams already started come
// first (so streams finish and free their memory), new streams start when workers are idle.
// Once `signal` aborts nothing new starts; streams still open are ended with the abort reason.
import { unlessCancelled } from "./cancel.js";
import type { Window } from "./plan.js";
import type { StreamReader } from "./reader.js";

export interface StreamTask {
  readonly name: string;
  /** Prepares the stream; resolves to its reader, or undefined when there is nothing to read. */
  start(): Promise<StreamReader | undefined>;
  /** Called once when the stream has finished (reader settled, failed, or start() failed). */
  end(reader: StreamReader | undefined, failure: unknown): void;
}

/** What a worker does next. */
type Assignment =
  | { readonly kind: "read"; readonly reader: StreamReader; readonly window: Window; readonly task: StreamTask }
  | { readonly kind: "start"; readonly task: StreamTask }
  | { readonly kind: "wait" }
  | { readonly kind: "done" };

export async function runStreams(tasks: readonly StreamTask[], workers: number, signal?: AbortSignal): Promise<void> {
  const pending = [...tasks];
  const active: { task: StreamTask; reader: StreamReader }[] = [];
  let starting = 0;
  let wake: () => void = () => undefined;
  let changed = new Promise<void>((r) => (wake = r));
  const notify = () => {
    wake();
    changed = new Promise<void>((r) => (wake = r));
  };
  signal?.addEventListener("abort", notify, { once: true });

  const nextAssignment = (): Assignment => {
    if (signal?.aborted) return { kind: "done" };
    for (const a of active) {
      const window = a.reader.take();
      if (window) return { kind: "read", reader: a.reader, window, task: a.task };
    }
    const next = pending.shift();
    if (next) return { kind: "start", task: next };
    return active.length > 0 || starting > 0 ? { kind: "wait" } : { kind: "done" };
  };

  const settle = (task: StreamTask, reader: StreamReader) => {
    if (!reader.isSettled()) return;
    const i = active.findIndex((a) => a.reader === reader);
    if (i < 0) return;
    active.splice(i, 1);
    task.end(reader, reader.failed());
  };

  const worker = async (): Promise<void> => {
    for (;;) {
      const assignment = nextAssignment();
      if (assignment.kind === "done") return;
      if (assignment.kind === "wait") {
        await changed;
        continue;
      }
      if (assignment.kind === "start") {
        starting++;
        try {
          const reader = await unlessCancelled(assignment.task.start(), signal);
          if (reader) {
            active.push({ task: assignment.task, reader });
            settle(assignment.task, reader);
          } else {
            assignment.task.end(undefined, undefined);
          }
        } catch (err) {
          assignment.task.end(undefined, err);
        } finally {
          starting--;
          notify();
        }
        continue;
      }
      await assignment.reader.read(assignment.window);
      settle(assignment.task, assignment.reader);
      notify();
    }
  };

  await Promise.all(Array.from({ length: Math.max(1, workers) }, worker));
  signal?.removeEventListener("abort", notify);
  // Cancelled: no window is in flight any more (every worker returned); end the open streams.
  for (const a of active.splice(0)) a.task.end(a.reader, signal?.reason);
}
