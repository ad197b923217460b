// What every text for people shares: the program's name as they type it, and the terminal width
// that help, listings and reports fit, and how many rows a table for people holds. Leaf module:
// cli/usage.ts (help) and local/ (listings, reports, query tables) both take these from here.

export const PROGRAM = "source-cloudwatch-logs";
/** The terminal width every line of help (and the other fixed texts for people) fits. */
export const WIDTH = 80;
/** The rows `query` prints as a table (it must hold them all to align them); csv and json print all. */
export const MAX_TABLE_ROWS = 1000;

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
