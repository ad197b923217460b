// A proxy to an endpoint that holds the requests a test picks (by their X-Amz-Target) until the
// test releases them: the connector behind it is at a point the test knows, for as long as it wants.
import { createServer, request, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface HoldingProxy {
  readonly url: string;
  /** Some request is held. */
  holding(): boolean;
  /** Sends the held requests on, and every later one. */
  release(): void;
  close(): Promise<void>;
}

/**
 * `hold(target, before)`: whether to hold a request of that X-Amz-Target (e.g.
 * `Logs_20140328.DescribeLogGroups`), given how many requests of that target came before it.
 */
export async function holdingProxy(
  endpoint: string,
  hold: (target: string, before: number) => boolean,
): Promise<HoldingProxy> {
  const held: (() => void)[] = [];
  const seen = new Map<string, number>();
  let released = false;
  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const out = request(`${endpoint}${req.url ?? "/"}`, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    // A held request released after its client left: the endpoint's answer has nowhere to go.
    out.on("error", () => res.destroy());
    out.end(body);
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const go = () => forward(req, res, Buffer.concat(chunks));
      const target = String(req.headers["x-amz-target"] ?? "");
      const before = seen.get(target) ?? 0;
      seen.set(target, before + 1);
      if (!released && hold(target, before)) held.push(go);
      else go();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    holding: () => held.length > 0,
    release: () => {
      released = true;
      for (const go of held.splice(0)) go();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
