// STS AssumeRole (query protocol, XML) and the registry of issued session credentials. Issued
// keys advertise `Expiration` on the wall clock (the SDK compares it with Date.now()) but die on
// the simulator clock after DurationSeconds, or earlier with sts.actualLifetimeSeconds.
import { randomBytes, randomUUID } from "node:crypto";
import type { Settings } from "./model.js";

interface Issued {
  readonly diesAt: number; // simulator clock
}

export type KeyStatus = "ok" | "expired" | "unknown";

export class CredentialRegistry {
  private readonly issued = new Map<string, Issued>();
  constructor(private readonly sts: Settings["sts"]) {}

  status(accessKeyId: string | undefined, now: number): KeyStatus {
    if (accessKeyId === undefined) return this.sts.allowedStaticKeys ? "unknown" : "ok";
    const issued = this.issued.get(accessKeyId);
    if (issued) return now >= issued.diesAt ? "expired" : "ok";
    if (this.sts.allowedStaticKeys && !this.sts.allowedStaticKeys.includes(accessKeyId)) return "unknown";
    return "ok";
  }

  issue(durationSeconds: number, now: number): { accessKeyId: string; secretAccessKey: string; sessionToken: string } {
    const accessKeyId = `ASIA${randomBytes(8).toString("hex").toUpperCase()}`;
    const lifetime = Math.min(durationSeconds, this.sts.actualLifetimeSeconds ?? Infinity);
    this.issued.set(accessKeyId, { diesAt: now + lifetime * 1000 });
    return {
      accessKeyId,
      secretAccessKey: randomBytes(30).toString("base64"),
      sessionToken: `FwoGZXIvYXdzE${randomBytes(48).toString("base64")}`,
    };
  }
}

const NS = "https://sts.amazonaws.com/doc/2011-06-15/";
const xml = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export function stsError(code: string, message: string, status = 400): { status: number; body: string } {
  const type = status >= 500 ? "Receiver" : "Sender";
  return {
    status,
    body: `<ErrorResponse xmlns="${NS}"><Error><Type>${type}</Type><Code>${code}</Code><Message>${xml(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
  };
}

/** Handles Action=AssumeRole; returns an HTTP status and XML body. */
export function assumeRole(
  params: URLSearchParams,
  registry: CredentialRegistry,
  now: number,
  wallNow: number,
): { status: number; body: string } {
  const roleArn = params.get("RoleArn");
  const session = params.get("RoleSessionName");
  const duration = Number(params.get("DurationSeconds") ?? "3600");
  if (!roleArn || !/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(roleArn))
    return stsError("ValidationError", `${roleArn ?? "null"} is invalid`);
  if (!session || !/^[\w+=,.@-]{2,64}$/.test(session)) {
    return stsError(
      "ValidationError",
      `1 validation error detected: Value '${session ?? "null"}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`,
    );
  }
  if (!Number.isInteger(duration) || duration < 900 || duration > 43200) {
    return stsError(
      "ValidationError",
      `1 validation error detected: Value '${params.get("DurationSeconds")}' at 'durationSeconds' failed to satisfy constraint: Member must have value ${duration < 900 ? "greater than or equal to 900" : "less than or equal to 43200"}`,
    );
  }
  const creds = registry.issue(duration, now);
  const expiration = new Date(wallNow + duration * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
  const [, account, role] = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn) ?? [];
  return {
    status: 200,
    body:
      `<AssumeRoleResponse xmlns="${NS}"><AssumeRoleResult>` +
      `<AssumedRoleUser><AssumedRoleId>AROA${creds.accessKeyId.slice(4, 20)}:${xml(session)}</AssumedRoleId>` +
      `<Arn>arn:aws:sts::${account}:assumed-role/${xml(role ?? "role")}/${xml(session)}</Arn></AssumedRoleUser>` +
      `<Credentials><AccessKeyId>${creds.accessKeyId}</AccessKeyId><SecretAccessKey>${xml(creds.secretAccessKey)}</SecretAccessKey>` +
      `<SessionToken>${xml(creds.sessionToken)}</SessionToken><Expiration>${expiration}</Expiration></Credentials>` +
      `<PackedPolicySize>0</PackedPolicySize></AssumeRoleResult>` +
      `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></AssumeRoleResponse>`,
  };
}
