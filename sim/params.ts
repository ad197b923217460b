// Reading request members with AWS's validation messages.
import { constraintViolation, invalidParameter, SimError } from "./errors.js";

export type Input = Readonly<Record<string, unknown>>;

function typeError(name: string): SimError {
  return new SimError("SerializationException", `Unexpected value type for member ${name}`);
}

export function optString(input: Input, name: string, max = 1024): string | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw typeError(name);
  if (v.length > max) throw constraintViolation(name, v, `Member must have length less than or equal to ${max}`);
  return v;
}

export function optInt(input: Input, name: string, min: number, max: number): number | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v)) throw typeError(name);
  if (v < min) throw constraintViolation(name, v, `Member must have value greater than or equal to ${min}`);
  if (v > max) throw constraintViolation(name, v, `Member must have value less than or equal to ${max}`);
  return v;
}

export function optBool(input: Input, name: string): boolean | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") throw typeError(name);
  return v;
}

export function optStringList(input: Input, name: string, maxItems: number): string[] | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((s) => typeof s !== "string")) throw typeError(name);
  if (v.length < 1) throw constraintViolation(name, v, "Member must have length greater than or equal to 1");
  if (v.length > maxItems)
    throw constraintViolation(name, v, `Member must have length less than or equal to ${maxItems}`);
  return v as string[];
}

/** Exactly one of logGroupName / logGroupIdentifier, as on AWS. */
export function groupRef(input: Input): string {
  const name = optString(input, "logGroupName", 512);
  const id = optString(input, "logGroupIdentifier", 2048);
  if (name !== undefined && id !== undefined)
    throw invalidParameter("LogGroup name and LogGroup ARN are mutually exclusive parameters.");
  const ref = name ?? id;
  if (ref === undefined) throw invalidParameter("Should provide either name or ARN of the log group.");
  return ref;
}
