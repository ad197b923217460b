// DuckDB refuses a file that another process holds (a writer any open, a reader a writer's),
// naming the holder: "Conflicting lock is held in PROGRAM (PID N)". Said for people here.

const LOCK_HELD = /Conflicting lock is held in (.*?) \(PID (\d+)\)/;

/** "in use by process N (PROGRAM)" when `err` is DuckDB's lock conflict, else undefined. */
export function heldBy(err: unknown): string | undefined {
  const lock = LOCK_HELD.exec(err instanceof Error ? err.message : String(err));
  return lock ? `in use by process ${lock[2]} (${lock[1]})` : undefined;
}
