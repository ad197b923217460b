// STS requests (query protocol): only AssumeRole.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { SimState } from "./state.js";
import { assumeRole, stsError } from "./sts.js";
import { send } from "./http-util.js";
import { type AnswerForms, drawFault, isAnswerFault, sendFaultyAnswer } from "./faults.js";
import { signingAccessKey } from "./sigv4.js";

const XML_TYPE = "text/xml";

export function handleSts(
  state: SimState,
  req: IncomingMessage,
  res: ServerResponse,
  params: URLSearchParams,
  timers: Set<NodeJS.Timeout>,
): void {
  const action = params.get("Action") ?? "";
  state.counters.request(action === "AssumeRole" ? "AssumeRole" : `sts:${action}`);
  const reply = (r: { status: number; body: string }): void => {
    if (r.status !== 200) state.counters.error(/<Code>([^<]+)</.exec(r.body)?.[1] ?? "Unknown");
    state.counters.served(send(res, r.status, XML_TYPE, r.body), 0);
  };
  const refused = refusal(state, req, action);
  if (refused) {
    reply(refused);
    return;
  }
  const answer = assumeRole(params, state.credentials, state.clock.now(), Date.now());
  // STS answers are spoiled only when a scenario aims faults at AssumeRole by name.
  const { faults } = state.scenario.settings;
  const fault = faults.operations?.includes("AssumeRole") ? drawFault(faults, state.stsFaultDraws.next()) : undefined;
  if (answer.status === 200 && fault && isAnswerFault(fault)) {
    state.counters.fault(fault);
    return void sendFaultyAnswer(fault, res, answer.body, XML_ANSWERS, faults.stallMs, timers);
  }
  reply(answer);
}

/** The error answer to a request STS refuses before AssumeRole runs, if it does. */
function refusal(state: SimState, req: IncomingMessage, action: string): { status: number; body: string } | undefined {
  if (action !== "AssumeRole")
    return stsError("InvalidAction", `Could not find operation ${action} for version 2011-06-15`);
  const status = state.credentials.status(signingAccessKey(req.headers, req.url), state.clock.now());
  if (status === "expired") return stsError("ExpiredToken", "The security token included in the request is expired");
  if (status === "unknown")
    return stsError("InvalidClientTokenId", "The security token included in the request is invalid.", 403);
  return undefined;
}

const XML_ANSWERS: AnswerForms = {
  contentType: XML_TYPE,
  errorBody: stsError("ServiceUnavailable", "try again", 503).body,
  emptyBody: `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult></AssumeRoleResult></AssumeRoleResponse>`,
};
