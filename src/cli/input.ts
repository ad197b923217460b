// Input files (--config, --catalog, --state) -> JSON values, for every command that takes one. A
// file that is not JSON is named with the line and column of the problem, never with its text
// (which may hold secrets, unknown until it is parsed).
import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { createInterface } from "node:readline";
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
  let number = 0;
  let records = false;
  try {
    const lines = createInterface({ input: createReadStream(path, { encoding: "utf8" }), crlfDelay: Infinity });
    for await (const raw of lines) {
      number++;
      const line = (number === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw).trim();
      if (line === "") continue;
      if (line.startsWith(RECORD_LINE)) {
        // One stands for them all: state parsing skips RECORDs, but refuses a file of them without a STATE.
        if (!records) {
          values.push({ type: "RECORD" });
          numbers.push(number);
        }
        records = true;
        continue;
      }
      const tooLarge = () =>
        new ConfigError(
          `${flag} ${path} is ${Math.round(size / 1024 / 1024)} MB, too large for one JSON value: give a state of that size as JSON lines (read's stdout saved, or its STATE lines alone)`,
        );
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (err) {
        if (values.length === 0 && !line.startsWith("{")) throw tooLarge();
        const problem = jsonProblem((err as Error).message, line).replace(/\(line 1, /, "(");
        throw new ConfigError(`${flag} ${path} line ${number} is not valid JSON: ${problem}`);
      }
      // A whole state on its first line (an array): one JSON value, not lines of messages.
      if (values.length === 0 && Array.isArray(value)) throw tooLarge();
      values.push(value);
      numbers.push(number);
    }
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw cannotRead(flag, path, err);
  }
  return { value: values, itemName: (i) => `${flag} line ${numbers[i]}` };
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
