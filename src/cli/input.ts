// Input files (--config, --catalog, --state) -> JSON values, for every command that takes one. A
// file that is not JSON is named with the line and column of the problem, never with its text
// (which may hold secrets, unknown until it is parsed).
import { readFile } from "node:fs/promises";
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

/** As readJson; a --state file may also be empty (no state) or JSON lines. */
export async function readJsonInput(flag: string, path: string): Promise<JsonInput> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(
      `${flag} ${path}: cannot read the file (${code === "ENOENT" ? "no such file" : (code ?? String(err))})`,
    );
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
