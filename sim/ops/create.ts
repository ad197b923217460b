// CreateLogGroup, CreateLogStream, DeleteLogGroup: for seeding an account over the wire.
import { json, type OpContext, type OpResult } from "./context.js";
import { groupRef, optString, type Input } from "../params.js";
import { constraintViolation, groupNotFound, SimError } from "../errors.js";

const GROUP_NAME = /^[.\-_/#A-Za-z0-9]+$/;
const STREAM_NAME = /^[^:*]*$/;

export function createLogGroup(ctx: OpContext, input: Input): OpResult {
  const name = optString(input, "logGroupName", 512);
  if (name === undefined || name.length === 0 || !GROUP_NAME.test(name)) {
    throw constraintViolation(
      "logGroupName",
      name ?? null,
      "Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+",
    );
  }
  const logClass = optString(input, "logGroupClass", 32) ?? "STANDARD";
  if (logClass !== "STANDARD" && logClass !== "INFREQUENT_ACCESS") {
    throw constraintViolation(
      "logGroupClass",
      logClass,
      "Member must satisfy enum value set: [STANDARD, INFREQUENT_ACCESS]",
    );
  }
  if (ctx.account.groups.has(name))
    throw new SimError("ResourceAlreadyExistsException", "The specified log group already exists");
  ctx.account.createGroup(name, logClass, ctx.now);
  return json({});
}

export function deleteLogGroup(ctx: OpContext, input: Input): OpResult {
  const name = optString(input, "logGroupName", 512);
  if (name === undefined || !ctx.account.deleteGroup(name)) throw groupNotFound();
  return json({});
}

export function createLogStream(ctx: OpContext, input: Input): OpResult {
  const group = ctx.account.findGroup(groupRef(input));
  const name = optString(input, "logStreamName", 512);
  if (name === undefined || name.length === 0 || !STREAM_NAME.test(name)) {
    throw constraintViolation("logStreamName", name ?? null, "Member must satisfy regular expression pattern: [^:*]*");
  }
  if (!group) throw groupNotFound();
  if (group.streams.has(name))
    throw new SimError("ResourceAlreadyExistsException", "The specified log stream already exists");
  ctx.account.createStream(group, name, ctx.now);
  return json({});
}
