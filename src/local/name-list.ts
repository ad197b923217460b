/** How many names a message lists before "and N more": 3,000 log groups are not one line. */
export const NAMES_SHOWN = 10;

/** The first NAMES_SHOWN names, quoted, then how many more there are. */
export function listNames(names: readonly string[]): string {
  const shown = names.slice(0, NAMES_SHOWN).map((s) => JSON.stringify(s));
  const more = names.length - shown.length;
  return shown.join(", ") + (more > 0 ? `, and ${more} more` : "");
}
