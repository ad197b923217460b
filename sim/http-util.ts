// Small HTTP helpers shared by the endpoints.
import type { IncomingMessage, ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";

export function readBody(req: IncomingMessage, maxBytes = 8 * 1_048_576): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let n = 0;
    req.on("data", (c: Buffer) => {
      n += c.length;
      if (n > maxBytes) {
        reject(new Error("request body too large"));
        req.destroy();
      } else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string | Buffer,
  extra: Record<string, string> = {},
): number {
  if (res.destroyed || res.headersSent) return 0;
  const buf = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  res.writeHead(status, {
    "Content-Type": contentType,
    "Content-Length": String(buf.length),
    "x-amzn-RequestId": randomUUID(),
    ...extra,
  });
  res.end(buf);
  return buf.length;
}

export const sleep = (ms: number, timers: Set<NodeJS.Timeout>): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(() => {
      timers.delete(t);
      resolve();
    }, ms);
    timers.add(t);
  });
