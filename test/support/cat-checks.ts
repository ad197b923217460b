// The CAT checks of airbyte.md that are more than one assertion: discovered schemas, records
// against their schema, stream-status order, checkpoint counts and resuming from a checkpoint.
import { Ajv, type ValidateFunction } from "ajv";
import type { AirbyteCatalog, AirbyteMessage, AirbyteRecordMessage } from "../../src/airbyte/protocol.js";
import { eventKey } from "./connector.js";

type Schema = Record<string, unknown>;

function hasRef(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasRef);
  if (value === null || typeof value !== "object") return false;
  return Object.entries(value).some(([k, v]) => k === "$ref" || hasRef(v));
}

/** Discovery rules: unique names, Draft-7 schemas without $ref, cursor and primary key present and scalar. */
export function catalogProblems(catalog: AirbyteCatalog): string[] {
  const problems: string[] = [];
  const names = catalog.streams.map((s) => s.name);
  if (new Set(names).size !== names.length) problems.push("stream names are not unique");
  const ajv = new Ajv({ strict: false });
  for (const s of catalog.streams) {
    const schema = s.json_schema as Schema;
    if (schema.$schema !== "http://json-schema.org/draft-07/schema#")
      problems.push(`${s.name}: $schema is not Draft 7`);
    if (hasRef(schema)) problems.push(`${s.name}: schema uses $ref`);
    try {
      ajv.compile(schema);
    } catch (e) {
      problems.push(`${s.name}: schema does not compile: ${(e as Error).message}`);
    }
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    const fields = [
      ...(s.default_cursor_field ? [s.default_cursor_field] : []),
      ...(s.source_defined_primary_key ?? []),
    ];
    if (!s.default_cursor_field?.length) problems.push(`${s.name}: no default_cursor_field`);
    if (!s.source_defined_primary_key?.length) problems.push(`${s.name}: no primary key`);
    for (const path of fields) {
      const p = props[path[0]!];
      if (path.length !== 1 || !p) problems.push(`${s.name}: ${path.join(".")} is not a property of the schema`);
      else if ([p.type].flat().some((t) => t === "object" || t === "array"))
        problems.push(`${s.name}: ${path.join(".")} is ${String(p.type)}`);
    }
  }
  return problems;
}

/** Validates records against their stream's schema with extra columns forbidden. */
function exactRecordValidator(schema: Schema): ValidateFunction {
  return new Ajv({ strict: false, allErrors: true }).compile({ ...schema, additionalProperties: false });
}

export function recordProblems(
  recs: readonly AirbyteRecordMessage[],
  schema: Schema,
  primaryKey: readonly (readonly string[])[],
): string[] {
  const validate = exactRecordValidator(schema);
  const problems: string[] = [];
  for (const r of recs) {
    if (!validate(r.data))
      problems.push(`${r.stream}: ${JSON.stringify(validate.errors)} in ${JSON.stringify(r.data).slice(0, 200)}`);
    for (const path of primaryKey) {
      const v = (r.data as Record<string, unknown>)[path[0]!];
      if (v === null || v === undefined) problems.push(`${r.stream}: primary key ${path.join(".")} is null`);
    }
    if (problems.length > 5) break;
  }
  return problems;
}

/** STARTED, then RUNNING (only if records, at least once), then COMPLETE, nothing else. */
export function statusOrderOk(seq: readonly string[], hadRecords: boolean): boolean {
  if (seq[0] !== "STARTED" || seq.at(-1) !== "COMPLETE") return false;
  const middle = seq.slice(1, -1);
  if (!middle.every((s) => s === "RUNNING")) return false;
  return hadRecords ? middle.length >= 1 : true;
}

export interface Checkpoint {
  /** Index of the STATE message among all messages. */
  readonly index: number;
  readonly timestamp: number;
  readonly recordCount: number | undefined;
}

export function checkpoints(messages: readonly AirbyteMessage[], stream: string): Checkpoint[] {
  const out: Checkpoint[] = [];
  messages.forEach((m, index) => {
    if (m.type !== "STATE" || m.state?.stream?.stream_descriptor.name !== stream) return;
    out.push({
      index,
      timestamp: (m.state.stream.stream_state as { timestamp: number }).timestamp,
      recordCount: m.state.sourceStats?.recordCount,
    });
  });
  return out;
}

/** Every STATE's recordCount equals the stream's records since its previous STATE. */
export function recordCountProblems(messages: readonly AirbyteMessage[], stream: string): string[] {
  const problems: string[] = [];
  let since = 0;
  messages.forEach((m, i) => {
    if (m.type === "RECORD" && m.record?.stream === stream) since++;
    if (m.type === "STATE" && m.state?.stream?.stream_descriptor.name === stream) {
      if (m.state.sourceStats?.recordCount !== since)
        problems.push(
          `STATE at message ${i}: recordCount ${String(m.state.sourceStats?.recordCount)}, records since the previous state ${since}`,
        );
      since = 0;
    }
  });
  if (since !== 0) problems.push(`${since} records after the last STATE`);
  return problems;
}

const ts = (r: AirbyteRecordMessage) => (r.data as { timestamp: number }).timestamp;

/**
 * What a read resumed from checkpoint `cp` of read 1 must return. The state means "every event
 * below T was delivered", so: every record of read 1 below T came before the checkpoint, and the
 * resumed read returns exactly read 1's events at or after T, which include every record read 1
 * emitted after the checkpoint.
 */
export function resumeProblems(
  read1: readonly AirbyteMessage[],
  stream: string,
  cp: Checkpoint,
  resumed: readonly AirbyteRecordMessage[],
): string[] {
  const problems: string[] = [];
  const all = read1.filter((m) => m.type === "RECORD" && m.record?.stream === stream).map((m) => m.record!);
  const before = new Set(
    read1
      .slice(0, cp.index)
      .filter((m) => m.type === "RECORD" && m.record?.stream === stream)
      .map((m) => eventKey(m.record!)),
  );
  const after = read1
    .slice(cp.index + 1)
    .filter((m) => m.type === "RECORD" && m.record?.stream === stream)
    .map((m) => m.record!);
  const late = all.filter((r) => ts(r) < cp.timestamp && !before.has(eventKey(r)));
  if (late.length > 0)
    problems.push(`${late.length} records below the checkpoint ${cp.timestamp} were emitted after it`);
  const got = resumed.map(eventKey);
  if (new Set(got).size !== got.length) problems.push("the resumed read repeats records");
  const want = new Set(all.filter((r) => ts(r) >= cp.timestamp).map(eventKey));
  const gotSet = new Set(got);
  const missing = [...want].filter((k) => !gotSet.has(k)).length;
  const extra = got.filter((k) => !want.has(k)).length;
  if (missing || extra)
    problems.push(`resumed from ${cp.timestamp}: ${missing} events at or after it missing, ${extra} unexpected`);
  const notResumed = after.filter((r) => !gotSet.has(eventKey(r))).length;
  if (notResumed) problems.push(`${notResumed} records emitted after the checkpoint are not in the resumed read`);
  return problems;
}
