// Reads the --state input in every form Airbyte has used, into one watermark per stream name
// ({"timestamp": T}), or one per log group for the single stream ({"log_groups": {...}}).
import { isOrigin } from "../domain/logs.js";
import { ConfigError } from "./errors.js";

/** Each stream's watermark; `groupWatermarks` holds the streams whose state is per log group. */
export interface StateInput extends ReadonlyMap<string, number> {
  readonly groupWatermarks: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /** Per stream whose state is per log group, the entries' `log_group_creation_time` (see GroupStates). */
  readonly groupCreationTimes: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /**
   * The streams whose per-group state is of GROUP_STATES_VERSION: there an entry without
   * `log_group_creation_time` or `earlier_version` was read past its group's creation.
   */
  readonly groupStatesVersioned: ReadonlySet<string>;
  /** Per such stream, its entries marked `earlier_version` (see GroupStatesOptions.earlierEntries). */
  readonly groupEarlierEntries: ReadonlyMap<string, ReadonlySet<string>>;
  /** A custom report's `report_definition`: what it selected when its state was saved. */
  readonly reportDefinitions: ReadonlyMap<string, string>;
  /** A stream's `origin`: the region and account its events were read from (absent in older states). */
  readonly origins: ReadonlyMap<string, string>;
  /** A stream's `log_group_creation_time`: when its log group was made (absent in older states). */
  readonly creationTimes: ReadonlyMap<string, number>;
}

/** A stream's parsed state: one watermark, or one per log group, and what the state says of its source. */
interface StreamValue {
  readonly watermark: number | ReadonlyMap<string, number>;
  /** The single stream's entries that say when their log group was made. */
  readonly groupCreationTimes?: ReadonlyMap<string, number>;
  /** The single stream's state is of GROUP_STATES_VERSION. */
  readonly versioned?: boolean;
  /** The single stream's entries of an earlier version's state, not read since. */
  readonly earlierEntries?: ReadonlySet<string>;
  readonly definition?: string;
  readonly origin?: string;
  readonly creationTime?: number;
}

type Json = Record<string, unknown>;

/**
 * The `version` of a per-group state (the single stream's) whose every entry read only up to a
 * time before its log group was made says when that was (`log_group_creation_time`): in it, an
 * entry without one was read past its group's creation, so a group made after its timestamp is
 * another group. Earlier states have no `version`; an entry of one that may be either and was not
 * read since is marked `"earlier_version": true`.
 */
export const GROUP_STATES_VERSION = 2;

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/**
 * A stream's state blob: {"timestamp": T} with T epoch ms (our state and Airbyte's Python
 * connector's), or {"log_groups": {"<group>": {"timestamp": T}}} (the single stream's); either
 * may say its origin, a log group's or report's also when its group was made.
 */
function watermarkOf(stream: string, blob: unknown): StreamValue | undefined {
  if (blob === undefined || blob === null) return undefined;
  if (!isObject(blob))
    throw new ConfigError(
      `state for stream ${JSON.stringify(stream)} must be an object like {"timestamp": 1700000000000}`,
    );
  if (Object.keys(blob).length === 0) return undefined;
  const where = `state for stream ${JSON.stringify(stream)}`;
  const origin = originOf(where, blob.origin);
  const withOrigin = origin === undefined ? {} : { origin };
  if ("log_groups" in blob) return { ...groupWatermarksOf(stream, blob), ...withOrigin };
  const timestamp = timestampOf(where, blob.timestamp);
  const created = creationTimeOf(where, blob.log_group_creation_time);
  const known = { ...withOrigin, ...(created === undefined ? {} : { creationTime: created }) };
  if (blob.report_definition === undefined) return { watermark: timestamp, ...known };
  if (typeof blob.report_definition !== "string")
    throw new ConfigError(
      `${where}: report_definition must be the string a read wrote there (${shown(blob.report_definition)}); ` +
        "restore it, or remove it to continue the report from this timestamp",
    );
  return { watermark: timestamp, definition: blob.report_definition, ...known };
}

function creationTimeOf(where: string, raw: unknown): number | undefined {
  if (raw === undefined || (typeof raw === "number" && Number.isSafeInteger(raw) && raw >= 0)) return raw;
  throw new ConfigError(
    `${where}: log_group_creation_time must be the epoch milliseconds a read wrote there (${shown(raw)}); ` +
      "restore it, or remove it to take the state as it is",
  );
}

function originOf(where: string, raw: unknown): string | undefined {
  if (raw === undefined || (typeof raw === "string" && isOrigin(raw))) return raw;
  throw new ConfigError(
    `${where}: origin must be the string a read wrote there, like "arn:aws:logs:us-east-1:123456789012" (${shown(raw)}); ` +
      "restore it, or remove it to take the state as it is",
  );
}

/** A stream's own state (not a map of streams to states): it has a timestamp or log_groups. */
function isStreamState(blob: Json): boolean {
  return "timestamp" in blob || "log_groups" in blob;
}

function timestampOf(where: string, raw: unknown): number {
  const ts = typeof raw === "string" && /^\d+$/.test(raw.trim()) ? Number(raw) : raw;
  if (typeof ts !== "number" || !Number.isSafeInteger(ts) || ts < 0) {
    throw new ConfigError(`${where}: timestamp must be a non-negative integer of epoch milliseconds (${shown(raw)})`);
  }
  return ts;
}

function groupWatermarksOf(
  stream: string,
  blob: Json,
): Pick<StreamValue, "groupCreationTimes" | "versioned" | "earlierEntries"> & {
  readonly watermark: ReadonlyMap<string, number>;
} {
  const where = `state for stream ${JSON.stringify(stream)}`;
  if ("timestamp" in blob)
    throw new ConfigError(`${where} has both "timestamp" and "log_groups"; a state has one or the other`);
  // An entry's, not the state's: taken for the whole stream, it would hide which groups it meant.
  if ("log_group_creation_time" in blob)
    throw new ConfigError(
      `${where} has "log_group_creation_time" beside "log_groups"; it belongs in a log group's entry (as a read wrote it): move or remove it`,
    );
  if (blob.version !== undefined && blob.version !== GROUP_STATES_VERSION)
    throw new ConfigError(
      `${where}: version must be ${GROUP_STATES_VERSION}, as this connector writes it (${shown(blob.version)}); ` +
        "a state of another version of the connector is read by that version, or remove version to take the state as an earlier version's",
    );
  if (!isObject(blob.log_groups))
    throw new ConfigError(
      `${where}: log_groups must be an object like {"/aws/lambda/a": {"timestamp": 1700000000000}}`,
    );
  const out = new Map<string, number>();
  const created = new Map<string, number>();
  const earlier = new Set<string>();
  for (const [group, entry] of Object.entries(blob.log_groups)) {
    const at = `${where}, log group ${JSON.stringify(group)}`;
    if (group === "") throw new ConfigError(`${where}: log_groups has an empty log group name`);
    if (!isObject(entry)) throw new ConfigError(`${at} must be an object like {"timestamp": 1700000000000}`);
    out.set(group, timestampOf(at, entry.timestamp));
    const time = creationTimeOf(at, entry.log_group_creation_time);
    if (time !== undefined) created.set(group, time);
    if (entry.earlier_version === true) earlier.add(group);
    else if (entry.earlier_version !== undefined)
      throw new ConfigError(
        `${at}: earlier_version must be true, as a read wrote it (${shown(entry.earlier_version)}); restore it, or remove it to take the entry as this version's`,
      );
  }
  const versioned = blob.version === GROUP_STATES_VERSION;
  return { watermark: out, groupCreationTimes: created, versioned, earlierEntries: earlier };
}

/** JSON.stringify would show Infinity (1e400 in the file) as null and a missing value as undefined. */
function shown(raw: unknown): string {
  if (raw === undefined) return "it is missing";
  return `got ${typeof raw === "number" ? String(raw) : JSON.stringify(raw)}`;
}

function streamName(entry: unknown, where: string): string {
  const desc = isObject(entry) && isObject(entry.stream_descriptor) ? entry.stream_descriptor : undefined;
  if (!desc || typeof desc.name !== "string" || desc.name === "") {
    throw new ConfigError(`${where}: stream_descriptor.name is missing`);
  }
  return desc.name;
}

function fromStreamStates(entries: unknown, where: string): Map<string, StreamValue> {
  if (!Array.isArray(entries)) throw new ConfigError(`${where} must be an array`);
  const out = new Map<string, StreamValue>();
  entries.forEach((e, i) => {
    const name = streamName(e, `${where}[${i}]`);
    const ts = watermarkOf(name, (e as Json).stream_state);
    if (ts !== undefined) out.set(name, ts);
  });
  return out;
}

function fromLegacy(data: unknown): Map<string, StreamValue> {
  if (!isObject(data)) throw new ConfigError("legacy state data must be an object mapping stream names to states");
  const out = new Map<string, StreamValue>();
  for (const [name, blob] of Object.entries(data)) {
    const ts = watermarkOf(name, blob);
    if (ts !== undefined) out.set(name, ts);
  }
  return out;
}

function fromMessage(msg: Json, where: string): Map<string, StreamValue> {
  switch (msg.type) {
    case "STREAM": {
      if (!isObject(msg.stream)) throw new ConfigError(`${where}: a STREAM state needs a "stream" object`);
      const name = streamName(msg.stream, `${where}.stream`);
      const ts = watermarkOf(name, msg.stream.stream_state);
      return new Map(ts === undefined ? [] : [[name, ts]]);
    }
    case "GLOBAL": {
      if (!isObject(msg.global)) throw new ConfigError(`${where}: a GLOBAL state needs a "global" object`);
      return fromStreamStates(msg.global.stream_states, `${where}.global.stream_states`);
    }
    case "LEGACY":
    case undefined:
      return fromLegacy(msg.data ?? {});
    default:
      throw new ConfigError(
        `${where}: unknown state type ${JSON.stringify(msg.type)} (expected STREAM, GLOBAL or LEGACY, or an Airbyte STATE message)`,
      );
  }
}

const MESSAGE_TYPES = new Set(["STREAM", "GLOBAL", "LEGACY"]);
/** Airbyte messages other than STATE: saved `read` output holds them next to its STATE lines. */
const OTHER_AIRBYTE_MESSAGES = new Set(["RECORD", "LOG", "TRACE", "SPEC", "CATALOG", "CONNECTION_STATUS", "CONTROL"]);

/** An Airbyte STATE message (`{"type":"STATE","state":{...}}`, as `read` writes it): its state message. */
function unwrapped(msg: Json, where: string): Json {
  if (!isObject(msg.state)) throw new ConfigError(`${where}: a STATE message needs a "state" object`);
  return msg.state;
}

export interface ParseStateOptions {
  /** How to name the i-th item of an array in messages, e.g. `--state line 4`; default `state[i]`. */
  readonly itemName?: (index: number) => string;
}

/**
 * Accepts: nothing, [], {}, an array of state messages, one state message, or a legacy bare
 * object. State messages may be wrapped as Airbyte STATE messages, and an array may also hold
 * other Airbyte messages (a saved `read` stdout): they are skipped, the last state of each
 * stream counts, and at least one STATE message must be there.
 */
export function parseState(input: unknown, options: ParseStateOptions = {}): StateInput {
  return split(parsed(input, options));
}

/** Timestamps as the map itself, per-group states aside: most streams have a timestamp. */
function split(values: ReadonlyMap<string, StreamValue>): StateInput {
  const timestamps = new Map<string, number>();
  const groupWatermarks = new Map<string, ReadonlyMap<string, number>>();
  const groupCreationTimes = new Map<string, ReadonlyMap<string, number>>();
  const groupStatesVersioned = new Set<string>();
  const groupEarlierEntries = new Map<string, ReadonlySet<string>>();
  const reportDefinitions = new Map<string, string>();
  const origins = new Map<string, string>();
  const creationTimes = new Map<string, number>();
  for (const [stream, v] of values) {
    if (typeof v.watermark === "number") timestamps.set(stream, v.watermark);
    else groupWatermarks.set(stream, v.watermark);
    if (v.groupCreationTimes !== undefined) groupCreationTimes.set(stream, v.groupCreationTimes);
    if (v.versioned === true) groupStatesVersioned.add(stream);
    if (v.earlierEntries !== undefined) groupEarlierEntries.set(stream, v.earlierEntries);
    if (v.definition !== undefined) reportDefinitions.set(stream, v.definition);
    if (v.origin !== undefined) origins.set(stream, v.origin);
    if (v.creationTime !== undefined) creationTimes.set(stream, v.creationTime);
  }
  return Object.assign(timestamps, {
    groupWatermarks,
    groupCreationTimes,
    groupStatesVersioned,
    groupEarlierEntries,
    reportDefinitions,
    origins,
    creationTimes,
  });
}

function parsed(input: unknown, options: ParseStateOptions): ReadonlyMap<string, StreamValue> {
  if (input === undefined || input === null) return new Map();
  if (Array.isArray(input)) {
    const itemName = options.itemName ?? ((i: number) => `state[${i}]`);
    const out = new Map<string, StreamValue>();
    const skipped = new Set<string>();
    let stateMessages = 0;
    input.forEach((m, i) => {
      const where = itemName(i);
      if (!isObject(m)) throw new ConfigError(`${where} must be an object`);
      if (typeof m.type === "string" && OTHER_AIRBYTE_MESSAGES.has(m.type)) {
        skipped.add(m.type);
        return;
      }
      stateMessages++;
      const msg = m.type === "STATE" ? unwrapped(m, where) : m;
      for (const [k, v] of fromMessage(msg, m.type === "STATE" ? `${where}.state` : where)) out.set(k, v);
    });
    if (skipped.size > 0 && stateMessages === 0) {
      throw new ConfigError(
        `state holds Airbyte messages (${[...skipped].join(", ")}) but no STATE message, so there is nothing to continue from; pass the STATE lines of a read, or no --state to read from start_date`,
      );
    }
    return out;
  }
  if (!isObject(input)) throw new ConfigError("state must be a JSON array of state messages or an object");
  if (typeof input.type === "string" && OTHER_AIRBYTE_MESSAGES.has(input.type)) return parsed([input], options);
  if (input.type === "STATE") return fromMessage(unwrapped(input, "state"), "state.state");
  if (typeof input.type === "string" && MESSAGE_TYPES.has(input.type)) return fromMessage(input, "state");
  // A LEGACY state without its type: {"data": {"<stream>": {...}}}. A stream named "data" has a
  // state of its own shape there instead.
  if (Object.keys(input).length === 1 && isObject(input.data) && !isStreamState(input.data))
    return fromLegacy(input.data);
  // A bare legacy object may have a stream named "type", but its state is an object.
  if (typeof input.type === "string" || (input.type !== undefined && input.type !== null && !isObject(input.type))) {
    throw new ConfigError(
      `state has unknown type ${JSON.stringify(input.type)} (expected STREAM, GLOBAL or LEGACY, or an Airbyte STATE message)`,
    );
  }
  // One stream's own state given alone: its keys would be taken for stream names ("version").
  if (typeof input.timestamp === "number" || (typeof input.version === "number" && "log_groups" in input))
    throw new ConfigError(
      "state is one stream's state, not one per stream: give it under its stream's name, " +
        'like {"log_events": {"version": 2, "log_groups": {...}}} or {"/aws/lambda/orders": {"timestamp": 1700000000000}}',
    );
  return fromLegacy(input);
}

/** Streams named in a warning about states not in the catalog; the rest are counted. */
const MAX_NAMED_STREAMS = 5;

/**
 * The warning for states of streams the catalog does not hold (a stream deselected, another
 * layout's state), or undefined: one line, however many (a state of 200,000 groups is one LOG).
 */
export function notInCatalog(state: StateInput, catalog: readonly { readonly name: string }[]): string | undefined {
  const known = new Set(catalog.map((s) => s.name));
  const ignored = [...state.keys(), ...state.groupWatermarks.keys()].filter((name) => !known.has(name));
  if (ignored.length === 0) return undefined;
  if (ignored.length === 1)
    return `State for stream ${JSON.stringify(ignored[0])} is not in the catalog; it is ignored.`;
  const named = ignored.slice(0, MAX_NAMED_STREAMS).map((n) => JSON.stringify(n));
  const more = ignored.length - named.length;
  return `State for ${ignored.length} streams not in the catalog is ignored: ${named.join(", ")}${more > 0 ? ` and ${more} more` : ""}.`;
}
