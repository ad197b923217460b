// Input files (--config, --catalog, --state) -> JSON values, for every command that takes one. A
// file that is not JSON is named with the line and column of the problem, never with its text
// (which may hold secrets, unknown until it is parsed).
import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { ConfigError } from "../airbyte/errors.js";

/** What an input file holds: one JSON value, or (a state file only) JSON lines, named by line. */
export interface JsonInput {
  readonly value: unknown;
  readonly itemName?: (index: number) => string;
}

/** The JSON value of the file given as `flag`; a ConfigError names the flag, the path and the problem. */
export async function readJson(flag: string, path: string): Promise<unknown> {
  return (await readJsonInput(flag, path)).value;
}

/**
 * The values of a file of JSON lines (e.g. `read`'s stdout saved to a file), each named by its
 * line; undefined when the text does not start like one (its first line is no JSON object).
 */
function jsonLines(flag: string, path: string, text: string): JsonInput | undefined {
  const lines = text
    .split("\n")
    .map((line, i) => ({ line: line.trim(), number: i + 1 }))
    .filter((l) => l.line !== "");
  const parse = (l: { line: string; number: number }): unknown => {
    try {
      return JSON.parse(l.line);
    } catch (err) {
      throw new ConfigError(
        `${flag} ${path} line ${l.number} is not valid JSON: ${jsonProblem((err as Error).message, l.line).replace(/\(line 1, /, "(")}`,
      );
    }
  };
  if (lines.length < 2 || !lines[0]!.line.startsWith("{")) return undefined;
  try {
    JSON.parse(lines[0]!.line);
  } catch {
    return undefined;
  }
  return { value: lines.map(parse), itemName: (i) => `${flag} line ${lines[i]!.number}` };
}

/**
 * The size above which a --state file is read line by line, as JSON lines, its RECORD lines
 * skipped unparsed: a saved `read` stdout of millions of records (gigabytes) is more than one
 * string holds (V8's limit is about 512 MB) or memory its parsed records would take.
 */
const WHOLE_STATE_TEXT_BYTES = 256 * 1024 * 1024;
/** How `read` writes a RECORD line's opening (see airbyte/emitter.ts). */
const RECORD_LINE = '{"type":"RECORD"';
const RECORD_BYTES = Buffer.from(RECORD_LINE);
/**
 * The longest line of a big state file: a RECORD's line holds one event (CloudWatch's are up to
 * 1 MB, its JSON escaped and message_json beside it); a state's line is small.
 */
const MAX_STATE_LINE_BYTES = 64 * 1024 * 1024;

function cannotRead(flag: string, path: string, err: unknown): ConfigError {
  const code = (err as NodeJS.ErrnoException).code;
  return new ConfigError(
    `${flag} ${path}: cannot read the file (${code === "ENOENT" ? "no such file" : (code ?? String(err))})`,
  );
}

/**
 * A big --state file as JSON lines: the lines other than RECORDs in the emitter's form, parsed,
 * each named by its line. A file that is not JSON lines (one JSON value of this size) is refused.
 */
async function bigStateLines(flag: string, path: string, size: number): Promise<JsonInput> {
  const values: unknown[] = [];
  const numbers: number[] = [];
  let records = false;
  let parsedAny = false;
  const tooLarge = () =>
    new ConfigError(
      `${flag} ${path} is ${Math.round(size / 1024 / 1024)} MB, too large for one JSON value: give a state of that size as JSON lines (read's stdout saved, or its STATE lines alone)`,
    );
  try {
    for await (const { bytes, number } of byteLines(path, MAX_STATE_LINE_BYTES)) {
      // Most lines are RECORDs: told by their opening, never decoded nor parsed.
      if (bytes.subarray(0, RECORD_LINE.length).equals(RECORD_BYTES)) {
        // One stands for them all: state parsing skips RECORDs, but refuses a file of them without a STATE.
        if (!records) {
          values.push({ type: "RECORD" });
          numbers.push(number);
        }
        records = true;
        continue;
      }
      const text = bytes.toString("utf8");
      const line = (number === 1 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).trim();
      if (line === "") continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (err) {
        // The first line of one value across lines ("{" or "[" of a pretty-printed state).
        if (!parsedAny) throw tooLarge();
        const problem = jsonProblem((err as Error).message, line).replace(/\(line 1, /, "(");
        throw new ConfigError(`${flag} ${path} line ${number} is not valid JSON: ${problem}`);
      }
      // A whole state on its first line (an array): one JSON value, not lines of messages.
      if (!parsedAny && Array.isArray(value)) throw tooLarge();
      parsedAny = true;
      values.push(value);
      numbers.push(number);
    }
  } catch (err) {
    if (err instanceof LineTooLong)
      throw parsedAny
        ? new ConfigError(
            `${flag} ${path} line ${err.number} is over ${MAX_STATE_LINE_BYTES / 1024 / 1024} MB: no message of read's output is`,
          )
        : tooLarge();
    if (err instanceof ConfigError) throw err;
    throw cannotRead(flag, path, err);
  }
  return { value: values, itemName: (i) => `${flag} line ${numbers[i]}` };
}

/** A line longer than a big state file's lines may be (see byteLines). */
class LineTooLong extends Error {
  constructor(readonly number: number) {
    super(`line ${number} is too long`);
  }
}

/**
 * The file's lines as bytes, without their line break, each with its number; a line longer than
 * `max` bytes ends the reading with LineTooLong (readline would build a string of any length,
 * and fail past V8's limit with an error it cannot pass to its caller).
 */
async function* byteLines(path: string, max: number): AsyncGenerator<{ bytes: Buffer; number: number }> {
  let parts: Buffer[] = [];
  let length = 0;
  let number = 0;
  // Each chunk is a buffer of its own: the parts may point into it.
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    let at = 0;
    for (let newline = chunk.indexOf(10, at); newline >= 0; newline = chunk.indexOf(10, at)) {
      parts.push(chunk.subarray(at, newline));
      length += newline - at;
      if (length > max) throw new LineTooLong(number + 1);
      number++;
      yield { bytes: parts.length === 1 ? parts[0]! : Buffer.concat(parts, length), number };
      parts = [];
      length = 0;
      at = newline + 1;
    }
    if (at < chunk.length) {
      parts.push(chunk.subarray(at));
      length += chunk.length - at;
      if (length > max) throw new LineTooLong(number + 1);
    }
  }
  if (length > 0) yield { bytes: Buffer.concat(parts, length), number: number + 1 };
}

/** As readJson; a --state file may also be empty (no state) or JSON lines. */
export async function readJsonInput(
  flag: string,
  path: string,
  wholeStateTextBytes = WHOLE_STATE_TEXT_BYTES,
): Promise<JsonInput> {
  let text: string;
  try {
    if (flag === "--state") {
      const { size } = await stat(path);
      if (size > wholeStateTextBytes) return await bigStateLines(flag, path, size);
    }
    text = await readFile(path, "utf8");
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw cannotRead(flag, path, err);
  }
  // A byte order mark (as some Windows editors write) is not part of the JSON.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === "" && flag === "--state") return { value: undefined };
  try {
    return { value: JSON.parse(text) };
  } catch (err) {
    // People save `read`'s stdout, one message per line, as the next state.
    const lines = flag === "--state" ? jsonLines(flag, path, text) : undefined;
    if (lines) return lines;
    throw new ConfigError(`${flag} ${path} is not valid JSON: ${jsonProblem((err as Error).message, text)}`);
  }
}

/**
 * JSON.parse's explanation without the excerpt of the input that V8 quotes in some messages
 * (`Unexpected token 'x', "...": 'abc'}" is not valid JSON`): the input is unparsed, so its
 * secrets are not known yet and cannot be redacted. Positions become line and column.
 */
function jsonProblem(message: string, text: string): string {
  const token = /^Unexpected token '(.)'/su.exec(message);
  // V8 of Node >= 22 appends its own " (line L column C)"; ours is added below on every version.
  const v8 = message.replace(/ \(line \d+ column \d+\)$/, "");
  let problem = token
    ? `unexpected character ${JSON.stringify(token[1])}`
    : v8.replace(/, ".*" is not valid JSON$/s, "");
  if (/"/.test(problem.replace(/^unexpected character ".*"$/s, ""))) problem = "syntax error";
  const pos = /at position (\d+)/.exec(problem);
  if (pos) {
    const before = text.slice(0, Number(pos[1]));
    const line = before.split("\n").length;
    const column = before.length - before.lastIndexOf("\n");
    problem = `${problem} (line ${line}, column ${column})`;
  }
  return problem;
}
