// The JSON format of scenario files (see docs/simulator.md), before validation.
import type { TimeSpec } from "./time-spec.js";
import type { ApiName, DataIdentifier, LogClass, MessageShape } from "./model.js";
import type { Distribution } from "./distribution.js";
import type { FAULT_RATES } from "./faults.js";

export interface GroupFile {
  name: string;
  /** A linked source account (12 digits) that holds the group; absent: the scenario's accountId. */
  accountId?: string;
  logClass?: LogClass;
  creationTime?: TimeSpec;
  retentionInDays?: number;
  /** Explicit names, or `count` streams named by `namePattern` ("{index}" is replaced, zero-padded). */
  streams?: string[] | { count: number; namePattern?: string; distribution?: Distribution };
  timeRange?: { start: TimeSpec; end: TimeSpec };
  /** Events of the whole group, spread over its streams. */
  events?: { count?: number; ratePerSecond?: number };
  message?: { shape?: MessageShape; size?: number };
  ingestion?: { minDelayMs?: number; maxDelayMs?: number; lateFraction?: number; lateDelayMs?: number };
  /** A data protection policy: matches are masked unless read with unmask (and logs:Unmask). */
  dataProtection?: { identifiers?: DataIdentifier[]; customPatterns?: string[] };
}

/** A family of groups described once: `count` groups whose event counts follow `distribution`. */
export interface GroupSetFile extends Omit<GroupFile, "name" | "events"> {
  count: number;
  namePrefix: string;
  totalEvents: number;
  distribution?: Distribution;
  alpha?: number;
}

export interface ScenarioFile {
  seed?: number;
  region?: string;
  accountId?: string;
  clock?: { start?: TimeSpec; speed?: number };
  /** "none" disables throttling; per API a number (TPS) or null (unlimited). */
  quotas?: "none" | Partial<Record<ApiName, number | null>>;
  latency?: { fixedMs?: number; perKbMs?: number };
  faults?: Partial<Record<(typeof FAULT_RATES)[number], number>> & { stallMs?: number; operations?: ApiName[] };
  pages?: { shortPageRate?: number; emptyPageRate?: number; maxScanPerPage?: number };
  sts?: { actualLifetimeSeconds?: number; allowedStaticKeys?: string[] };
  /** IAM actions denied to every caller: "logs:Unmask" (on every group), or {action, logGroups}. */
  deniedActions?: (string | { action: string; logGroups: string[] })[];
  logGroups?: GroupFile[];
  groupSets?: GroupSetFile[];
}
