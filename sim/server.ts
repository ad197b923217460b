// The HTTP server: one port serves CloudWatch Logs (X-Amz-Target), STS (form-encoded Action=...)
// and the /_sim/ controls, because the connector uses one endpoint_url for Logs and STS.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Scenario } from "./model.js";
import { createState, type SimState } from "./state.js";
import { readBody, send } from "./http-util.js";
import { handleLogs } from "./logs-endpoint.js";
import { handleSts } from "./sts-endpoint.js";
import { handleControl } from "./control-endpoint.js";

export interface RunningServer {
  readonly state: SimState;
  readonly port: number;
  close(): Promise<void>;
}

const LOGS_PREFIX = "Logs_20140328.";

async function route(
  state: SimState,
  req: IncomingMessage,
  res: ServerResponse,
  timers: Set<NodeJS.Timeout>,
): Promise<void> {
  const body = await readBody(req);
  const path = (req.url ?? "/").split("?")[0] as string;
  if (path.startsWith("/_sim/")) return handleControl(state, req, res, path, body);
  const target = req.headers["x-amz-target"];
  if (typeof target === "string" && target.startsWith(LOGS_PREFIX)) {
    return handleLogs(state, req, res, target.slice(LOGS_PREFIX.length), body, timers);
  }
  const type = req.headers["content-type"] ?? "";
  if (req.method === "POST" && type.startsWith("application/x-www-form-urlencoded")) {
    return handleSts(state, req, res, new URLSearchParams(body), timers);
  }
  send(
    res,
    400,
    "application/x-amz-json-1.1",
    JSON.stringify({
      __type: "UnknownOperationException",
      message: "Expected X-Amz-Target Logs_20140328.<Operation> or an STS form request.",
    }),
  );
}

export function startServer(scenario: Scenario, port = 0, host = "127.0.0.1"): Promise<RunningServer> {
  const state = createState(scenario);
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    route(state, req, res, timers).catch((e: unknown) => {
      console.error("simulator: request failed", e);
      if (!res.headersSent)
        send(res, 500, "application/x-amz-json-1.1", JSON.stringify({ __type: "InternalFailure", message: String(e) }));
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const addr = server.address();
      resolve({
        state,
        port: typeof addr === "object" && addr ? addr.port : port,
        close: () =>
          new Promise<void>((done) => {
            for (const t of timers) clearTimeout(t);
            timers.clear();
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
