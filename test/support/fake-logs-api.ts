// An in-process LogsApi (the port in src/domain/logs.ts) for unit tests of the engine; flow tests
// use moto_server and the simulator instead. Deterministic: fixed events per log group, pages of a
// given size, failures scripted per request, a clock the test moves. It records every request it
// got, with its signal, so a test can tell what the engine asked for and what it abandoned.
import {
  type EventPage,
  type FilterRequest,
  type LogEvent,
  type LogGroup,
  type LogGroupSelection,
  type LogsApi,
  selects,
} from "../../src/domain/logs.js";

/** Time as the test says: which events have been ingested, and `now` for the code under test. */
export class FakeClock {
  constructor(private t: number) {}

  readonly now = (): number => this.t;

  advance(ms: number): void {
    this.t += ms;
  }
}

/** An event as a test writes it; the rest is filled in deterministically. */
export interface FakeEvent {
  readonly timestamp: number;
  readonly logStreamName?: string;
  /** When CloudWatch Logs has it: invisible while the clock is before it (default: its timestamp). */
  readonly ingestionTime?: number;
  readonly message?: string;
  readonly eventId?: string;
}

export interface RecordedRequest {
  /** 1 for the first request the fake got, and so on. */
  readonly call: number;
  /** The request without its signal. */
  readonly request: Omit<FilterRequest, "signal">;
  readonly signal: AbortSignal | undefined;
  outcome: "pending" | "answered" | "failed" | "aborted";
  /** The request's signal aborted while the fake still held it. */
  abortedInFlight: boolean;
  /** Events on the page it answered. */
  answered: number;
  /** The page it answered had a next token. */
  hadMore: boolean;
}

export type RequestMatch = (request: FilterRequest, call: number) => boolean;

/** Requests held back until released: a test decides the order in which windows complete. */
export interface Hold {
  /** Resolves with the first matching request once it is in flight. */
  readonly reached: Promise<RecordedRequest>;
  /** The first matching request, once there was one (to assert on without waiting forever). */
  readonly first: RecordedRequest | undefined;
  /** Lets every held request (and every later matching one) be answered. */
  release(): void;
}

export interface FakeLogsApiOptions {
  /** Events per log group, in any order. */
  readonly groups: Readonly<Record<string, readonly FakeEvent[]>>;
  /** What describing a log group says, beyond its name (default: created at 0, STANDARD). */
  readonly groupInfo?: Readonly<Record<string, Partial<LogGroup>>>;
  /** Events per full page (AWS: 10,000); a request's `limit` may lower it. */
  readonly pageSize?: number;
  readonly clock?: FakeClock;
  /**
   * Whether an event at exactly `endTime` is on the page. AWS's end bound is ambiguous, so the
   * default is the case the reader must handle: it is.
   */
  readonly endInclusive?: boolean;
}

interface Stored extends LogEvent {
  readonly key: string;
}

/** Total order of a group's events: by timestamp, then as written. */
function sortKey(timestamp: number, index: number): string {
  return `${String(timestamp).padStart(16, "0")}:${String(index).padStart(9, "0")}`;
}

interface Cursor {
  readonly query: string;
  readonly afterKey: string;
}

function queryOf(r: FilterRequest): string {
  return JSON.stringify([r.logGroupName, r.startTime, r.endTime, r.logStreamNames ?? [], r.filterPattern ?? ""]);
}

export class FakeLogsApi implements LogsApi {
  readonly requests: RecordedRequest[] = [];
  /** Most requests in flight at once. */
  maxInFlight = 0;
  closed = false;
  private inFlight = 0;
  private readonly events = new Map<string, Stored[]>();
  private readonly cursors = new Map<string, Cursor>();
  private readonly failures: { match: RequestMatch; error: unknown; times: number }[] = [];
  private readonly holds: {
    match: RequestMatch;
    released: boolean;
    ignoresAbort: boolean;
    gate: Promise<void>;
    open: () => void;
  }[] = [];
  private readonly pageSize: number;
  private readonly requestListeners: ((r: RecordedRequest) => void)[] = [];
  private readonly settledListeners: ((r: RecordedRequest) => void)[] = [];

  constructor(private readonly options: FakeLogsApiOptions) {
    this.pageSize = options.pageSize ?? 10_000;
    for (const [group, list] of Object.entries(options.groups)) {
      const stored = list.map((e, i): Stored => {
        const logStreamName = e.logStreamName ?? "stream-1";
        return {
          logStreamName,
          timestamp: e.timestamp,
          ingestionTime: e.ingestionTime ?? e.timestamp,
          message: e.message ?? `${logStreamName} ${e.timestamp} #${i}`,
          eventId: e.eventId ?? `${group}/${i}`,
          key: sortKey(e.timestamp, i),
        };
      });
      this.events.set(
        group,
        stored.sort((a, b) => (a.key < b.key ? -1 : 1)),
      );
    }
  }

  /** The group's events as LogEvents, in time order (what a complete read delivers). */
  eventsOf(group: string): LogEvent[] {
    return (this.events.get(group) ?? []).map(({ key: _key, ...e }) => e);
  }

  /** The next `times` matching requests reject with `error` (before any page is made). */
  failWhen(match: RequestMatch, error: unknown, times = 1): void {
    this.failures.push({ match, error, times });
  }

  /** The request with this call number (1 for the first) rejects with `error`. */
  failCall(call: number, error: unknown): void {
    this.failWhen((_request, n) => n === call, error);
  }

  /**
   * Holds matching requests until released. `ignoresAbort`: a held request does not end when its
   * signal aborts (a transport that does not honour the signal), so only the engine can let go of it.
   */
  hold(match: RequestMatch, options: { readonly ignoresAbort?: boolean } = {}): Hold {
    let open: () => void = () => undefined;
    const gate = new Promise<void>((r) => (open = r));
    let reach: (r: RecordedRequest) => void = () => undefined;
    const reached = new Promise<RecordedRequest>((r) => (reach = r));
    let first: RecordedRequest | undefined;
    const entry = {
      match: (request: FilterRequest, call: number) => {
        const m = match(request, call);
        if (m && first === undefined) {
          first = this.requests[call - 1]!;
          reach(first);
        }
        return m;
      },
      released: false,
      ignoresAbort: options.ignoresAbort ?? false,
      gate,
      open,
    };
    this.holds.push(entry);
    return {
      reached,
      get first() {
        return first;
      },
      release: () => {
        entry.released = true;
        entry.open();
      },
    };
  }

  /** Calls `listener` as each request arrives (before it is answered). */
  onRequest(listener: (r: RecordedRequest) => void): void {
    this.requestListeners.push(listener);
  }

  /** Calls `listener` as each request settles (answered, failed or aborted). */
  onSettled(listener: (r: RecordedRequest) => void): void {
    this.settledListeners.push(listener);
  }

  /** Requests that started a window (no next token), in order. */
  windowsRequested(group?: string): { start: number; end: number }[] {
    return this.requests
      .filter((r) => r.request.nextToken === undefined && (group === undefined || r.request.logGroupName === group))
      .map((r) => ({ start: r.request.startTime, end: r.request.endTime }));
  }

  async *listLogGroups(selection: LogGroupSelection = {}): AsyncGenerator<LogGroup> {
    for (const name of [...this.events.keys()].sort()) {
      if (selects(selection, name)) yield this.group(name);
    }
  }

  async findLogGroup(name: string): Promise<LogGroup | undefined> {
    return this.events.has(name) ? this.group(name) : undefined;
  }

  /** The fake's groups have no ARN, so no account. */
  async ownAccount(): Promise<string | undefined> {
    return undefined;
  }

  async filterEvents(request: FilterRequest): Promise<EventPage> {
    const { signal, onSend, ...rest } = request;
    onSend?.();
    const recorded: RecordedRequest = {
      call: this.requests.length + 1,
      request: rest,
      signal,
      outcome: "pending",
      abortedInFlight: false,
      answered: 0,
      hadMore: false,
    };
    this.requests.push(recorded);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    for (const l of this.requestListeners) l(recorded);
    try {
      const page = await this.answer(request, recorded);
      recorded.outcome = "answered";
      recorded.answered = page.events.length;
      recorded.hadMore = page.nextToken !== undefined;
      return page;
    } catch (err) {
      if (recorded.outcome === "pending") recorded.outcome = "failed";
      throw err;
    } finally {
      this.inFlight--;
      for (const l of this.settledListeners) l(recorded);
    }
  }

  close(): void {
    this.closed = true;
  }

  private group(name: string): LogGroup {
    return {
      name,
      creationTime: 0,
      retentionInDays: undefined,
      logGroupClass: "STANDARD",
      storedBytes: 0,
      ...this.options.groupInfo?.[name],
    };
  }

  private async answer(request: FilterRequest, recorded: RecordedRequest): Promise<EventPage> {
    const { signal } = request;
    // As the real port: a cancelled request rejects with the signal's reason.
    const aborted = () => {
      recorded.outcome = "aborted";
      return signal!.reason;
    };
    if (signal?.aborted) throw aborted();
    // Answered on a later turn, as I/O is: other workers run in between.
    await Promise.resolve();
    for (const h of this.holds) {
      if (h.released || !h.match(request, recorded.call)) continue;
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          recorded.abortedInFlight = true;
          reject(aborted());
        };
        if (!h.ignoresAbort) signal?.addEventListener("abort", onAbort, { once: true });
        void h.gate.then(() => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        });
      });
    }
    if (signal?.aborted) throw aborted();
    const failure = this.failures.find((f) => f.times > 0 && f.match(request, recorded.call));
    if (failure) {
      failure.times--;
      throw failure.error;
    }
    return this.page(request);
  }

  private page(request: FilterRequest): EventPage {
    const query = queryOf(request);
    let afterKey = "";
    if (request.nextToken !== undefined) {
      const cursor = this.cursors.get(request.nextToken);
      // AWS rejects a token used with other parameters; so does the fake, to catch a mixed-up reader.
      if (!cursor || cursor.query !== query) throw new Error(`fake: invalid nextToken ${request.nextToken}`);
      afterKey = cursor.afterKey;
    }
    const now = this.options.clock?.now() ?? Number.POSITIVE_INFINITY;
    const inclusive = this.options.endInclusive ?? true;
    const streams = request.logStreamNames ?? [];
    const limit = Math.min(this.pageSize, request.limit ?? this.pageSize);
    const matching: Stored[] = [];
    let more = false;
    for (const e of this.events.get(request.logGroupName) ?? []) {
      if (e.key <= afterKey || e.ingestionTime > now) continue;
      if (e.timestamp < request.startTime || e.timestamp > request.endTime) continue;
      if (!inclusive && e.timestamp === request.endTime) continue;
      if (streams.length > 0 && !streams.includes(e.logStreamName)) continue;
      // A crude stand-in for a filter pattern: the message contains it.
      if (request.filterPattern && !e.message.includes(request.filterPattern)) continue;
      if (matching.length === limit) {
        more = true;
        break;
      }
      matching.push(e);
    }
    let nextToken: string | undefined;
    if (more) {
      nextToken = `token-${this.cursors.size + 1}`;
      this.cursors.set(nextToken, { query, afterKey: matching[matching.length - 1]!.key });
    }
    return { events: matching.map(({ key: _key, ...e }) => e), nextToken };
  }
}

/** `count` events of one log stream, `step` ms apart from `start`. */
export function evenly(start: number, count: number, step: number, logStreamName = "stream-1"): FakeEvent[] {
  return Array.from({ length: count }, (_, i) => ({ timestamp: start + i * step, logStreamName }));
}
