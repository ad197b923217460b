// Test and benchmark controls under /_sim/: counters, clock, the resolved scenario, health.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { SimState } from "./state.js";
import { send } from "./http-util.js";
import { resolveTime } from "./time-spec.js";

function clockView(state: SimState): Record<string, unknown> {
  const now = state.clock.now();
  return { now, iso: new Date(now).toISOString(), speed: state.clock.speed };
}

export function handleControl(
  state: SimState,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  body: string,
): void {
  const [status, value] = answer(state, `${req.method} ${path}`, body);
  send(res, status, "application/json", JSON.stringify(value));
}

/** The status and JSON body of the answer to one control request (`METHOD /path`). */
function answer(state: SimState, route: string, body: string): [number, unknown] {
  if (route === "GET /_sim/health") return [200, { ok: true }];
  if (route === "GET /_sim/counters") return [200, state.counters.snapshot()];
  if (route === "POST /_sim/counters/reset") {
    state.counters.reset();
    return [200, state.counters.snapshot()];
  }
  if (route === "POST /_sim/reset") {
    state.account.restore(state.scenario);
    state.counters.reset();
    return [200, { ok: true }];
  }
  if (route === "GET /_sim/scenario") return [200, state.scenario];
  if (route === "GET /_sim/clock") return [200, clockView(state)];
  if (route === "POST /_sim/clock") {
    let cmd: { set?: number | string; advanceMs?: number; speed?: number };
    try {
      cmd = body === "" ? {} : (JSON.parse(body) as typeof cmd);
    } catch {
      return [400, { error: "body must be JSON: {set?, advanceMs?, speed?}" }];
    }
    if (cmd.set !== undefined) {
      const t = resolveTime(cmd.set, state.clock.now());
      if (t === undefined) return [400, { error: "set: epoch ms, ISO-8601 or now±N(ms|s|m|h|d)" }];
      state.clock.set(t);
    }
    if (typeof cmd.advanceMs === "number") state.clock.advance(cmd.advanceMs);
    if (typeof cmd.speed === "number" && cmd.speed >= 0) state.clock.setSpeed(cmd.speed);
    return [200, clockView(state)];
  }
  return [404, { error: `unknown control endpoint ${route}` }];
}
