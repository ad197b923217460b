// Starts a real moto_server (third-party AWS emulator) on a free loopback port for a test file.
import { spawn, type ChildProcess } from "node:child_process";
import { freePort } from "./ports.js";

export interface Moto {
  readonly url: string;
  /** Wipes every service (log groups, IAM, STS). */
  reset(): Promise<void>;
  /** From now on IAM policies and signatures are enforced. */
  enforceAuth(): Promise<void>;
  stop(): Promise<void>;
}

export async function startMoto(env: Record<string, string> = {}): Promise<Moto> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(port)], {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, ...env },
  });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited early: ${stderr}`);
    try {
      const res = await fetch(`${url}/moto-api/data.json`);
      if (res.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`moto_server did not start on ${url}: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const post = async (path: string, body?: string): Promise<void> => {
    const res = await fetch(`${url}${path}`, {
      method: "POST",
      headers: body === undefined ? {} : { "Content-Type": "text/plain" },
      body,
    });
    if (!res.ok) throw new Error(`moto ${path}: HTTP ${res.status}`);
  };
  return {
    url,
    reset: () => post("/moto-api/reset"),
    enforceAuth: () => post("/moto-api/reset-auth", "0"),
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
