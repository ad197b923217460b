// Other processes of this host, as far as a store's files need them: a sync killed (SIGKILL, out
// of memory) leaves its temporary directory or its lock, found by its process id and host name.
import { hostname } from "node:os";

/** This host's name as it goes into a file name (letters and digits; anything else as "_"). */
export const HOST = hostname().replace(/[^A-Za-z0-9]/g, "_");

/** Whether process `pid` of this host runs. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, as another user.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
