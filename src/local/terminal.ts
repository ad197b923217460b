// What every text for people shares: the program's name as they type it, and the terminal width
// that help, listings and reports fit, and how many rows a table for people holds. Leaf module:
// cli/usage.ts (help) and local/ (listings, reports, query tables) both take these from here.

export const PROGRAM = "source-cloudwatch-logs";
/** The terminal width every line of help (and the other fixed texts for people) fits. */
export const WIDTH = 80;
/** The rows `query` prints as a table (it must hold them all to align them); csv and json print all. */
export const MAX_TABLE_ROWS = 1000;

/**
 * The width a text for people on `out` fits: WIDTH, or a terminal's when narrower (the terminal
 * would cut words at its edge). Off a terminal, WIDTH.
 */
export function widthFor(out: FailureOutput): number {
  return out.isTTY === true && out.columns !== undefined && out.columns > 0 ? Math.min(WIDTH, out.columns) : WIDTH;
}

/** A count and its noun: "1 cycle", "2 cycles" (the nouns here take an s). */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** Where a failure is written: a terminal (tty.WriteStream) says so and gives its width. */
export interface FailureOutput {
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/**
 * A command's failure for stderr: `PROGRAM command: message`. On a terminal the first line breaks
 * at spaces to the terminal's width (the terminal itself would cut words); elsewhere (logs, pipes)
 * it stays one line, for grep. The message's later lines (a synopsis) are made to fit already.
 */
export function failureText(command: string, message: string, out: FailureOutput): string {
  const [first = "", ...rest] = message.split("\n");
  return `${fitted(`${PROGRAM} ${command}: ${first}`, out)}${rest.map((l) => `${l}\n`).join("")}`;
}

/**
 * A line for stderr, with its line break: on a terminal broken at spaces to the terminal's width
 * (the terminal itself would cut words), the later lines under `indent`; elsewhere (logs, pipes)
 * one line, for grep.
 */
export function fitted(text: string, out: FailureOutput, indent = ""): string {
  const width = out.isTTY === true ? out.columns : undefined;
  return `${(width === undefined ? [text] : breakAtSpaces(text, width, indent)).join("\n")}\n`;
}

/**
 * Lines of at most `width` characters, broken at single spaces, the later ones under `indent`;
 * other whitespace (in a quoted value) is kept, and a longer word stays whole.
 */
function breakAtSpaces(text: string, width: number, indent: string): string[] {
  const [first = "", ...words] = text.split(" ");
  const lines = [first];
  // Whether the last line holds a word yet (leading spaces are not one).
  let worded = first !== "";
  for (const word of words) {
    const last = lines[lines.length - 1] ?? "";
    if (worded && last.length + 1 + word.length > width) lines.push(`${indent}${word}`);
    else lines[lines.length - 1] = `${last} ${word}`;
    worded ||= word !== "";
  }
  return lines;
}

/** Words into lines of at most `width` characters (a longer word stays whole). */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}
