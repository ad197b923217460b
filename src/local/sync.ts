// `sync`: the connector's read, consumed in-process by a local destination (DuckDB or JSON
// lines) that keeps the state next to the data, so the next sync continues where this one
// committed. stdout gets only the final summary; progress goes to a terminal's stderr.
import { Writable } from "node:stream";
import {
  CANCEL_EXIT_CODES,
  type Cancellation,
  isCancelled,
  unlessCancelled,
  watchCancellation,
} from "../engine/cancel.js";
import { isRegionEndpointUrl } from "../aws/sdk-client.js";
import { connect, type Io } from "../commands/context.js";
import { discoverSources, noStreamsFound } from "../commands/discover.js";
import { read } from "../commands/read.js";
import { ConfigError, asConnectorError, type FailureType } from "../airbyte/errors.js";
import { toConnectorError } from "../commands/api-failures.js";
import type { ConfiguredStream } from "../airbyte/configured-catalog.js";
import { parseState } from "../airbyte/state.js";
import { Destination } from "./destination.js";
import { failureText, widthFor } from "./terminal.js";
import { DuckDbStore } from "./duckdb-store.js";
import { JsonlStore } from "./jsonl-store.js";
import { listNames, NAMES_SHOWN } from "./name-list.js";
import { showListing, startProgressDisplay } from "./progress-display.js";
import { ProgressTracker, type ProgressSnapshot } from "./progress.js";
import { accountOf, type LocalStore, type SourceIdentity } from "./store.js";
import { groupStateKeys, streamStarts, streamWeights } from "./stream-starts.js";
import { discoverInterruptedSummary, syncSummary } from "./summary.js";
import { flagOverride, inFlagTerms, type SettingFlags } from "./sync-flags.js";

/** What the command line asks (see cli/args.ts), with the configuration from --config and the flags. */
export interface SyncOptions {
  /** The configuration as its file holds it (JSON) with the setting flags' fields over it, not yet validated. */
  readonly config: unknown;
  readonly format: "duckdb" | "jsonl";
  /** The DuckDB file, or the jsonl directory. */
  readonly target: string;
  /** undefined: every stream discover finds. */
  readonly streams: readonly string[] | undefined;
  /** The setting flags that made or changed `config` (see sync-flags.ts). */
  readonly settings?: SettingFlags;
}

export interface SyncOutcome {
  /** 0 every stream completed, 1 some failed, 130 interrupted (143 on SIGTERM). */
  readonly code: number;
  readonly snapshot: ProgressSnapshot;
  /** The notes of the summary (why streams failed, what was skipped), secrets removed. */
  readonly warnings: readonly string[];
}

/** One cycle of `sync --follow` (local/follow.ts): the loop owns the cancellation and the summary. */
export interface SyncCycle {
  /** Aborts with the loop's signal; not disposed by the cycle. */
  readonly cancellation: Cancellation;
  /** The progress screen's first line: the cycle and the totals so far. */
  readonly title: string;
}

/** Collects the WARN logs of discover (e.g. skipped INFREQUENT_ACCESS groups) for the summary. */
function warningsOf(lines: string[]): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString("utf8").split("\n")) {
        if (line === "") continue;
        const msg = JSON.parse(line) as { type?: string; log?: { level: string; message: string } };
        if (msg.type === "LOG" && msg.log && msg.log.level !== "INFO" && msg.log.level !== "DEBUG")
          lines.push(msg.log.message);
      }
      cb();
    },
  });
}

/**
 * The caller's account, which names the source in the store: with linked accounts the one discover
 * found (a group listed may be another account's, so never one of theirs); without, the account of
 * the groups listed, or, when none is (a prefix that matches nothing beside custom reports), of any
 * group of the caller's. Undefined when the caller has no log group: a guess would change later.
 */
async function sourceAccount(
  discovered: { readonly own: string | undefined; readonly groups: readonly { readonly arn?: string }[] },
  linked: boolean,
  ownAccount: () => Promise<string | undefined>,
): Promise<string | undefined> {
  if (linked) return discovered.own;
  return accountOf(discovered.groups) ?? (await ownAccount());
}

async function openStore(
  options: SyncOptions,
  streams: readonly string[],
  source: SourceIdentity,
  accountIds: boolean,
): Promise<LocalStore> {
  // JSON lines carry accountId as records do; DuckDB needs a column for it.
  return options.format === "jsonl"
    ? JsonlStore.open(options.target, streams, source)
    : DuckDbStore.open(options.target, streams, source, accountIds);
}

/** A failure whose message is fit for people: secrets removed. */
export class SyncError extends Error {
  /** config_error: an input must change (`sync --follow` stops on it at its first cycle). */
  constructor(
    message: string,
    readonly failureType: FailureType,
  ) {
    super(message);
  }
}

/**
 * The streams discover offers, for a --streams error: all of them when few, else those nearest
 * `asked` (the longest common start), so that 3,000 log groups are not one line of the error.
 */
function offered(found: readonly string[], asked: string): string {
  const common = (name: string) => {
    let n = 0;
    while (n < name.length && name[n] === asked[n]) n++;
    return n;
  };
  return listNames(
    found.length <= NAMES_SHOWN
      ? found
      : [...found].sort((a, b) => common(b) - common(a) || (a < b ? -1 : a > b ? 1 : 0)),
  );
}

/**
 * The note for streams synced into this store before that discover no longer lists: without it a
 * deleted log group would silently drop out of every later sync (and `--follow` cycle).
 */
function unlistedNote(unlisted: readonly string[], region: string): string {
  const why = "(deleted, or no longer selected by the config)";
  if (unlisted.length === 1)
    return `${JSON.stringify(unlisted[0])} was synced here before but discover no longer lists it in ${region} ${why}; it was not synced, and its rows are kept`;
  return (
    `${unlisted.length} streams synced here before are no longer listed by discover in ${region} ${why}: ` +
    `${listNames(unlisted)}; they were not synced, and their rows are kept`
  );
}

/**
 * Runs a sync with parsed options; the summary goes to io.stdout. `endpointLabel` stands for the
 * config's endpoint_url in the store's source identity (the demo's simulator gets a new port on
 * every run but is the same simulated account). With `cycle`, the summary is the caller's to print.
 */
export async function runSync(
  options: SyncOptions,
  io: Io,
  endpointLabel?: string,
  cycle?: SyncCycle,
): Promise<SyncOutcome> {
  const clock = io.now ?? Date.now;
  const { config, api, redact, context, notices } = connect(options.config, {
    now: clock,
    // Records, whatever the config says: file transfer stages raw files for Airbyte, not for a table.
    override: { deliveryType: "use_records_transfer", ...flagOverride(options.settings) },
  });
  let store: LocalStore | undefined;
  // Ctrl-C (or SIGTERM): discover is raced with it (a slow endpoint would hold the sync for its
  // timeouts and retries), so one then stops the sync at once; during the read, the read stops
  // starting requests and ends each stream with the state of its completed windows, which the
  // destination commits; nothing else is stored.
  const given = cycle?.cancellation ?? io.cancellation;
  const cancellation = given ?? watchCancellation(io.signals);
  const began = clock();
  try {
    const notes: string[] = [...notices];
    const discoverCtx = context(warningsOf(notes));
    let discovered: Awaited<ReturnType<typeof discoverSources>>;
    let account: string | undefined;
    const listing = showListing(io.stderr, config.region);
    try {
      discovered = await unlessCancelled(discoverSources(discoverCtx), cancellation.signal);
      const linked = config.linkedAccounts !== undefined;
      account = await unlessCancelled(
        sourceAccount(discovered, linked, () => api.ownAccount()),
        cancellation.signal,
      );
    } catch (err) {
      listing.stop();
      if (!isCancelled(err)) throw err;
      if (!cycle) io.stdout.write(discoverInterruptedSummary(widthFor(io.stdout)));
      const none = new ProgressTracker([], clock).snapshot({
        startedAt: began,
        upperBound: began - config.ingestionDelayMs,
        throttles: api.stats.throttles,
      });
      return {
        code: CANCEL_EXIT_CODES[err.by],
        snapshot: { ...none, ...(cycle && { title: cycle.title }) },
        warnings: notes.map(redact),
      };
    }
    listing.stop();
    const found = discovered.catalog.streams.map((s) => s.name);
    await discoverCtx.emitter.flush();
    // Exit 0 with "0 records" would look like success for a wrong region or prefix.
    if (found.length === 0) {
      const reason = noStreamsFound(config);
      // The notes are masked (see warningsOf): the same sentence with a secret in it is masked too.
      const masked = discoverCtx.emitter.redactText(reason);
      // The store is not opened yet: say so, as the rows a user synced before may be all they have.
      const untouched = `Nothing was written to ${options.target}.`;
      throw new ConfigError([reason, ...notes.filter((n) => n !== masked), untouched].join(" "));
    }
    const unknown = (options.streams ?? []).filter((s) => !found.includes(s));
    if (unknown.length > 0)
      throw new ConfigError(
        `--streams: ${unknown.map((s) => JSON.stringify(s)).join(", ")} not found; discover offers ${offered(found, unknown[0]!)}`,
      );
    const names = options.streams ?? found;
    const source = {
      account,
      region: config.region,
      // Where discover's requests went, when the SDK took an endpoint from outside the config;
      // none for the region's own endpoint, however it was given.
      endpoint:
        endpointLabel ??
        (config.endpointUrl !== undefined && isRegionEndpointUrl(config.region, config.endpointUrl)
          ? undefined
          : (config.endpointUrl ?? api.otherEndpoint())),
    };
    store = await openStore(options, names, source, config.linkedAccounts !== undefined);
    notes.push(...store.notes);
    const stored = await store.loadStates();
    // With --streams the user chose what to sync; without, every stream stored here is expected.
    if (options.streams === undefined) {
      const listed = new Set(found);
      const unlisted = [...stored.keys()].filter((n) => !listed.has(n)).sort();
      if (unlisted.length > 0) notes.push(unlistedNote(unlisted, config.region));
    }
    const state = parseState(
      names
        .filter((n) => stored.has(n))
        .map((name) => ({ type: "STREAM", stream: { stream_descriptor: { name }, stream_state: stored.get(name) } })),
    );
    const catalog: ConfiguredStream[] = names.map((name) => ({
      name,
      syncMode: "incremental",
      cursorField: undefined,
    }));

    const now = clock();
    const tracker = new ProgressTracker(names, clock, {
      starts: streamStarts(names, stored, config, discovered.groups, now),
      weights: streamWeights(names, config, discovered.groups, now),
      groupKeys: groupStateKeys(names, config, discovered.groups, discovered.own),
      stored,
    });
    for (const n of notes) tracker.note(n);
    const destination = new Destination(store, tracker);
    const ctx = context(destination);
    const { emitter } = ctx;
    const startedAt = clock();
    const base = { startedAt, upperBound: startedAt - config.ingestionDelayMs };
    const snapshot = (): ProgressSnapshot => ({
      ...tracker.snapshot({ ...base, throttles: api.stats.throttles }),
      ...(cycle && { title: cycle.title }),
    });
    const display = startProgressDisplay(io.stderr, snapshot, io.signals);

    let ok: boolean;
    try {
      const onWindows = (stream: string, change: 1 | -1) => tracker.reading(stream, change);
      ok = await read(ctx, { catalog, state, signal: cancellation.signal, onWindows, justDiscovered: true });
      if (cancellation.by !== undefined) await emitter.seal();
      await new Promise<void>((resolve, reject) =>
        destination.end((err?: Error | null) => (err ? reject(err) : resolve())),
      );
    } finally {
      display.stop();
    }
    const interrupted = cancellation.by;
    await store.close();
    store = undefined;
    const final = snapshot();
    const warnings = tracker.warnings().map(redact);
    if (!cycle)
      io.stdout.write(
        syncSummary({
          width: widthFor(io.stdout),
          snapshot: final,
          location: options.target,
          format: options.format,
          interrupted: interrupted !== undefined,
          warnings,
        }),
      );
    // A stream the store could not take failed, though the read completed it (see Destination).
    const code = interrupted !== undefined ? CANCEL_EXIT_CODES[interrupted] : ok && !destination.storeFailed ? 0 : 1;
    return { code, snapshot: final, warnings };
  } catch (err) {
    const failure = toConnectorError(err, {
      region: config.region,
      endpointUrl: config.endpointUrl,
      doing: "running sync",
    });
    throw new SyncError(redact(failure.message), failure.failureType);
  } finally {
    if (given === undefined) cancellation.dispose();
    await store?.close().catch(() => undefined);
    api.close();
  }
}

/** The `sync` command: exit code; errors as one line on stderr. */
export async function syncCommand(options: SyncOptions, io: Io): Promise<number> {
  try {
    return (await runSync(options, io)).code;
  } catch (err) {
    // A message from before the config is validated holds no secret (see connect()).
    const message =
      err instanceof SyncError || err instanceof ConfigError ? err.message : asConnectorError(err).message;
    io.stderr.write(failureText("sync", inFlagTerms(message, options.settings), io.stderr));
    return 1;
  }
}
