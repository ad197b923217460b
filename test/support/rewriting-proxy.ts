// A proxy to an endpoint that lets a test rewrite FilterLogEvents answers (HTTP 200 JSON bodies):
// wrong-shaped pages that the simulator does not make, sent to the connector over real HTTP.
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";

export interface RewritingProxy {
  readonly url: string;
  close(): Promise<void>;
}

/** `rewrite(answer, asked)`: the page to send instead, given the page and the request's body. */
export async function rewritingProxy(
  endpoint: string,
  rewrite: (answer: Record<string, unknown>, asked: Record<string, unknown>) => Record<string, unknown>,
): Promise<RewritingProxy> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const filter = String(req.headers["x-amz-target"] ?? "").endsWith(".FilterLogEvents");
      const headers = { ...req.headers, "accept-encoding": "identity" };
      const out = request(`${endpoint}${req.url ?? "/"}`, { method: req.method, headers }, (answer) => {
        const parts: Buffer[] = [];
        answer.on("data", (c: Buffer) => parts.push(c));
        answer.on("end", () => {
          let text = Buffer.concat(parts);
          if (filter && answer.statusCode === 200)
            text = Buffer.from(
              JSON.stringify(rewrite(JSON.parse(text.toString()), JSON.parse(body.toString() || "{}"))),
            );
          const { "content-length": _length, ...rest } = answer.headers;
          res.writeHead(answer.statusCode ?? 502, { ...rest, "content-length": text.length });
          res.end(text);
        });
      });
      out.on("error", () => res.destroy());
      out.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
