// Which fault, if any, hits a request: drawn from the run's seeded sequence, so a run reproduces.
import type { Settings } from "./model.js";
import type { ServerResponse } from "node:http";
import type { FaultKind } from "./counters.js";
import { send, sleep } from "./http-util.js";

/** The names of the rates in a scenario's `faults`, in the order they are drawn. */
export const FAULT_RATES = [
  "throttleRate",
  "http500Rate",
  "http503Rate",
  "resetRate",
  "stallRate",
  "errorBodyRate",
  "emptyBodyRate",
  "truncatedBodyRate",
  "garbageTailRate",
  "htmlBodyRate",
  "bodyStallRate",
  "bodyResetRate",
] as const satisfies readonly `${FaultKind}Rate`[];

export function drawFault(faults: Settings["faults"], u: number): FaultKind | undefined {
  // The rates stacked in FAULT_RATES order; u falls in one fault's slice or past them all.
  let edge = 0;
  for (const rate of FAULT_RATES) {
    edge += faults[rate];
    if (u < edge) return rate.slice(0, -"Rate".length) as FaultKind;
  }
  return undefined;
}

const ANSWER_FAULTS = new Set<FaultKind>([
  "errorBody",
  "emptyBody",
  "truncatedBody",
  "garbageTail",
  "htmlBody",
  "bodyStall",
  "bodyReset",
]);
export const isAnswerFault = (f: FaultKind): boolean => ANSWER_FAULTS.has(f);

/** How one protocol's answers look when spoiled. */
export interface AnswerForms {
  readonly contentType: string;
  /** What a proxy that mistook an error for a success sends. */
  readonly errorBody: string;
  /** A well-formed answer without its payload. */
  readonly emptyBody: string;
}

export const JSON_ANSWERS: AnswerForms = {
  contentType: "application/x-amz-json-1.1",
  errorBody: JSON.stringify({ __type: "ServiceUnavailableException", message: "try again" }),
  emptyBody: "{}",
};

/** A successful answer spoiled the ways proxies and middleboxes spoil them: still HTTP 200. */
export async function sendFaultyAnswer(
  fault: FaultKind,
  res: ServerResponse,
  body: string | Buffer,
  forms: AnswerForms,
  stallMs: number,
  timers: Set<NodeJS.Timeout>,
): Promise<void> {
  const full = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  const half = full.subarray(0, Math.floor(full.length / 2));
  switch (fault) {
    case "errorBody":
      send(res, 200, forms.contentType, forms.errorBody);
      return;
    case "emptyBody":
      send(res, 200, forms.contentType, forms.emptyBody);
      return;
    case "truncatedBody":
      send(res, 200, forms.contentType, half);
      return;
    case "garbageTail":
      send(res, 200, forms.contentType, Buffer.concat([full, Buffer.from('}{"x":')]));
      return;
    case "htmlBody":
      send(res, 200, "text/html", "<html><body><h1>Service temporarily unavailable</h1></body></html>");
      return;
    default: {
      // Headers promise the whole body; half of it comes, then nothing (or a reset).
      if (res.destroyed || res.headersSent) return;
      res.writeHead(200, { "Content-Type": forms.contentType, "Content-Length": String(full.length) });
      res.write(half);
      if (fault === "bodyReset") {
        await sleep(20, timers);
        res.socket?.resetAndDestroy();
        return;
      }
      await sleep(stallMs, timers);
      res.destroy();
    }
  }
}
