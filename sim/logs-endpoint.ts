// One CloudWatch Logs request (AWS JSON 1.1): credentials, quota, injected faults, the operation,
// then latency. Error bodies are {"__type", "message"} as AWS sends them.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { SimState } from "./state.js";
import { LOGS_OPERATIONS } from "./ops/index.js";
import type { ApiName } from "./model.js";
import { SimError } from "./errors.js";
import { JSON_ANSWERS, drawFault, isAnswerFault, sendFaultyAnswer } from "./faults.js";
import { send, sleep } from "./http-util.js";
import { signingAccessKey } from "./sigv4.js";
import type { Input } from "./params.js";
import { denial } from "./iam.js";

const JSON_TYPE = "application/x-amz-json-1.1";

export async function handleLogs(
  state: SimState,
  req: IncomingMessage,
  res: ServerResponse,
  operation: string,
  body: string,
  timers: Set<NodeJS.Timeout>,
): Promise<void> {
  const { counters, settings } = { counters: state.counters, settings: state.scenario.settings };
  counters.request(operation);
  const fail = (e: SimError): void => {
    counters.error(e.type);
    const payload = JSON.stringify({ __type: e.type, message: e.message });
    counters.served(send(res, e.status, JSON_TYPE, payload, { "x-amzn-ErrorType": e.type }), 0);
  };
  const op = LOGS_OPERATIONS[operation as ApiName];
  if (!op)
    return fail(new SimError("UnknownOperationException", `Operation ${operation} is not supported by the simulator.`));

  const key = signingAccessKey(req.headers, req.url);
  const status = state.credentials.status(key, state.clock.now());
  if (status === "expired") {
    counters.expired();
    return fail(new SimError("ExpiredTokenException", "The security token included in the request is expired"));
  }
  if (status === "unknown")
    return fail(new SimError("UnrecognizedClientException", "The security token included in the request is invalid."));

  const bucket = state.buckets.get(operation as ApiName);
  if (bucket && !bucket.tryTake()) {
    counters.throttle(operation);
    return fail(new SimError("ThrottlingException", "Rate exceeded"));
  }

  const drawn = drawFault(settings.faults, state.faultDraws.next());
  const fault =
    settings.faults.operations && !settings.faults.operations.includes(operation as ApiName) ? undefined : drawn;
  if (fault) counters.fault(fault);
  if (fault === "throttle") {
    counters.throttle(operation);
    return fail(new SimError("ThrottlingException", "Rate exceeded"));
  }
  if (fault === "http500")
    return fail(
      new SimError(
        "InternalFailure",
        "The request processing has failed because of an unknown error, exception or failure.",
        500,
      ),
    );
  if (fault === "http503")
    return fail(new SimError("ServiceUnavailableException", "The service cannot complete the request.", 503));
  if (fault === "reset") {
    req.socket.resetAndDestroy();
    return;
  }
  if (fault === "stall") await sleep(settings.faults.stallMs, timers);

  let input: Input;
  try {
    const parsed: unknown = body === "" ? {} : JSON.parse(body);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object");
    input = parsed as Input;
  } catch {
    return fail(new SimError("SerializationException", "Start of structure or map found where not expected."));
  }
  const groupRef = input.logGroupName ?? input.logGroupIdentifier;
  if (typeof groupRef === "string") counters.groupRequest(groupRef);
  const denied = denial(
    settings,
    `logs:${operation}`,
    typeof groupRef === "string" ? state.account.findGroup(groupRef) : undefined,
  );
  if (denied) return fail(denied);
  let result: ReturnType<typeof op>;
  try {
    const ctx = { account: state.account, now: state.clock.now(), settings, decide: () => state.pageDraws.next() };
    result = op(ctx, input);
  } catch (e) {
    if (e instanceof SimError) return fail(e);
    console.error("simulator: internal error", e);
    return fail(new SimError("InternalFailure", "The simulator failed on this request.", 500));
  }
  const { fixedMs, perKbMs } = settings.latency;
  const delay =
    fixedMs +
    (perKbMs * (typeof result.body === "string" ? Buffer.byteLength(result.body) : result.body.length)) / 1024;
  if (delay > 0) await sleep(delay, timers);
  if (fault && isAnswerFault(fault))
    return sendFaultyAnswer(fault, res, result.body, JSON_ANSWERS, settings.faults.stallMs, timers);
  counters.served(send(res, 200, JSON_TYPE, result.body), result.events);
}
