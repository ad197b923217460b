// Validates a scenario file and resolves it to absolute times. Every problem is reported with
// the path of the offending field, all at once.
import type {
  ApiName,
  DataProtectionSpec,
  Denial,
  GeneratedStreamSpec,
  GroupSpec,
  LogClass,
  MessageShape,
  Scenario,
  Settings,
  StreamSpec,
} from "./model.js";
import { API_NAMES, DATA_IDENTIFIERS, type DataIdentifier } from "./model.js";
import type { GroupFile, ScenarioFile } from "./scenario-file.js";
import { makeGroups } from "./make-groups.js";
import { defaultQuotas } from "./quotas.js";
import { FAULT_RATES } from "./faults.js";
import { resolveTime, type TimeSpec } from "./time-spec.js";
import { splitTotal, type Distribution } from "./distribution.js";

export interface ScenarioIssue {
  readonly path: string;
  readonly message: string;
}

export class ScenarioError extends Error {
  constructor(readonly issues: readonly ScenarioIssue[]) {
    super(`invalid scenario:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join("\n")}`);
  }
}

const GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;
const STREAM_NAME = /^[^:*]{1,512}$/;
const SHAPES: readonly MessageShape[] = ["text", "json", "access-log"];
const CLASSES: readonly LogClass[] = ["STANDARD", "INFREQUENT_ACCESS"];
const DISTRIBUTIONS: readonly Distribution[] = ["uniform", "power-law"];
/** An IAM action of CloudWatch Logs, e.g. logs:Unmask or logs:FilterLogEvents. */
const LOGS_ACTION = /^logs:[A-Za-z]+$/;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

class Checker {
  readonly issues: ScenarioIssue[] = [];
  fail(path: string, message: string): undefined {
    this.issues.push({ path, message });
    return undefined;
  }
  num(o: Obj, key: string, path: string, min: number, max = Infinity, integer = false): number | undefined {
    const v = o[key];
    if (v === undefined) return undefined;
    if (typeof v !== "number" || !Number.isFinite(v)) return this.fail(`${path}.${key}`, "must be a number");
    if (integer && !Number.isInteger(v)) return this.fail(`${path}.${key}`, "must be an integer");
    if (v < min || v > max) return this.fail(`${path}.${key}`, `must be between ${min} and ${max}`);
    return v;
  }
  rate(o: Obj, key: string, path: string): number {
    return this.num(o, key, path, 0, 1) ?? 0;
  }
  oneOf<T extends string>(o: Obj, key: string, path: string, allowed: readonly T[]): T | undefined {
    const v = o[key];
    if (v === undefined) return undefined;
    if (typeof v !== "string" || !(allowed as readonly string[]).includes(v))
      return this.fail(`${path}.${key}`, `must be one of ${allowed.join(", ")}`);
    return v as T;
  }
  time(o: Obj, key: string, path: string, reference: number): number | undefined {
    const v = o[key];
    if (v === undefined) return undefined;
    const t = typeof v === "number" || typeof v === "string" ? resolveTime(v as TimeSpec, reference) : undefined;
    return t ?? this.fail(`${path}.${key}`, 'must be epoch ms, an ISO-8601 time, or "now", "now-2d", "now+1h"');
  }
  section(o: Obj, key: string, path: string): Obj {
    const v = o[key];
    if (v === undefined) return {};
    if (!isObj(v)) {
      this.fail(`${path}.${key}`, "must be an object");
      return {};
    }
    return v;
  }
}

/** Validates `input` (parsed JSON). Relative times resolve against the clock start, or `wallNow`. */
export function parseScenario(input: unknown, wallNow: number = Date.now()): Scenario {
  const c = new Checker();
  if (!isObj(input)) throw new ScenarioError([{ path: "$", message: "must be a JSON object" }]);
  const file = input as Obj & ScenarioFile;
  const clockIn = c.section(file, "clock", "$");
  const start = c.time(clockIn, "start", "$.clock", wallNow);
  const reference = start ?? wallNow;
  const settings = parseSettings(c, file, clockIn, start);
  const groupsIn: unknown[] = [];
  if (file.logGroups !== undefined && !Array.isArray(file.logGroups)) c.fail("$.logGroups", "must be an array");
  else groupsIn.push(...(file.logGroups ?? []));
  const groups: GroupSpec[] = groupsIn.flatMap((g, i) => parseGroup(c, g, `$.logGroups[${i}]`, reference) ?? []);
  if (file.groupSets !== undefined && !Array.isArray(file.groupSets)) c.fail("$.groupSets", "must be an array");
  for (const [i, set] of (Array.isArray(file.groupSets) ? file.groupSets : []).entries()) {
    const path = `$.groupSets[${i}]`;
    if (!isObj(set)) {
      c.fail(path, "must be an object");
      continue;
    }
    if (typeof set.namePrefix !== "string") c.fail(`${path}.namePrefix`, "is required (a string)");
    const count = c.num(set, "count", path, 1, 100_000, true);
    const total = c.num(set, "totalEvents", path, 0, Number.MAX_SAFE_INTEGER, true);
    c.oneOf(set, "distribution", path, DISTRIBUTIONS);
    if (count === undefined || total === undefined || typeof set.namePrefix !== "string") {
      if (set.count === undefined) c.fail(`${path}.count`, "is required");
      if (set.totalEvents === undefined) c.fail(`${path}.totalEvents`, "is required");
      continue;
    }
    makeGroups(set as unknown as Parameters<typeof makeGroups>[0]).forEach((g) => {
      const spec = parseGroup(c, g, `${path}(${g.name})`, reference);
      if (spec) groups.push(spec);
    });
  }
  // One name per account: two accounts may hold groups of the same name.
  const seen = new Set<string>();
  for (const g of groups) {
    const account = g.accountId ?? settings.accountId;
    if (seen.has(`${account}:${g.name}`))
      c.fail("$.logGroups", `duplicate log group name ${g.name} in account ${account}`);
    seen.add(`${account}:${g.name}`);
  }
  if (c.issues.length > 0) throw new ScenarioError(c.issues);
  return { settings, groups };
}

function parseSettings(c: Checker, file: Obj, clockIn: Obj, start: number | undefined): Settings {
  const seed = c.num(file, "seed", "$", 0, 2 ** 32 - 1, true) ?? 1;
  const region =
    typeof file.region === "string"
      ? file.region
      : ((file.region === undefined ? undefined : c.fail("$.region", "must be a string")) ?? "us-east-1");
  const accountId =
    typeof file.accountId === "string" && /^\d{12}$/.test(file.accountId)
      ? file.accountId
      : ((file.accountId === undefined ? undefined : c.fail("$.accountId", "must be 12 digits")) ?? "123456789012");
  const quotas = defaultQuotas(region);
  if (file.quotas === "none") for (const k of API_NAMES) quotas[k] = null;
  else if (file.quotas !== undefined) {
    const q = c.section(file, "quotas", "$");
    for (const [k, v] of Object.entries(q)) {
      if (!(API_NAMES as readonly string[]).includes(k))
        c.fail(`$.quotas.${k}`, `unknown API; one of ${API_NAMES.join(", ")}`);
      else if (v !== null && (typeof v !== "number" || !(v > 0)))
        c.fail(`$.quotas.${k}`, "must be a positive number or null (unlimited)");
      else quotas[k as keyof typeof quotas] = v as number | null;
    }
  }
  const lat = c.section(file, "latency", "$");
  const faults = c.section(file, "faults", "$");
  const pages = c.section(file, "pages", "$");
  const sts = c.section(file, "sts", "$");
  const allowed = sts.allowedStaticKeys;
  if (allowed !== undefined && (!Array.isArray(allowed) || allowed.some((k) => typeof k !== "string")))
    c.fail("$.sts.allowedStaticKeys", "must be an array of strings");
  const sum = FAULT_RATES.reduce((s, k) => s + (typeof faults[k] === "number" ? (faults[k] as number) : 0), 0);
  if (sum > 1) c.fail("$.faults", "the fault rates must add up to at most 1");
  const ops = faults.operations;
  let faultOperations: ApiName[] | undefined;
  if (ops !== undefined) {
    if (!Array.isArray(ops) || ops.some((o) => !(API_NAMES as readonly unknown[]).includes(o)))
      c.fail("$.faults.operations", `must be an array of API names: ${API_NAMES.join(", ")}`);
    else faultOperations = ops as ApiName[];
  }
  const lifetime = c.num(sts, "actualLifetimeSeconds", "$.sts", 0);
  const deniedActions = parseDenials(c, file.deniedActions);
  return {
    seed,
    region,
    accountId,
    clock: { ...(start !== undefined ? { start } : {}), speed: c.num(clockIn, "speed", "$.clock", 0) ?? 1 },
    quotas,
    latency: {
      fixedMs: c.num(lat, "fixedMs", "$.latency", 0) ?? 0,
      perKbMs: c.num(lat, "perKbMs", "$.latency", 0) ?? 0,
    },
    faults: {
      throttleRate: c.rate(faults, "throttleRate", "$.faults"),
      http500Rate: c.rate(faults, "http500Rate", "$.faults"),
      http503Rate: c.rate(faults, "http503Rate", "$.faults"),
      resetRate: c.rate(faults, "resetRate", "$.faults"),
      stallRate: c.rate(faults, "stallRate", "$.faults"),
      stallMs: c.num(faults, "stallMs", "$.faults", 0) ?? 30_000,
      errorBodyRate: c.rate(faults, "errorBodyRate", "$.faults"),
      emptyBodyRate: c.rate(faults, "emptyBodyRate", "$.faults"),
      truncatedBodyRate: c.rate(faults, "truncatedBodyRate", "$.faults"),
      garbageTailRate: c.rate(faults, "garbageTailRate", "$.faults"),
      htmlBodyRate: c.rate(faults, "htmlBodyRate", "$.faults"),
      bodyStallRate: c.rate(faults, "bodyStallRate", "$.faults"),
      bodyResetRate: c.rate(faults, "bodyResetRate", "$.faults"),
      ...(faultOperations !== undefined ? { operations: faultOperations } : {}),
    },
    pages: {
      shortPageRate: c.rate(pages, "shortPageRate", "$.pages"),
      emptyPageRate: c.num(pages, "emptyPageRate", "$.pages", 0, 0.99) ?? 0,
      maxScanPerPage: c.num(pages, "maxScanPerPage", "$.pages", 1, Infinity, true) ?? 200_000,
    },
    sts: {
      ...(lifetime !== undefined ? { actualLifetimeSeconds: lifetime } : {}),
      ...(Array.isArray(allowed) ? { allowedStaticKeys: allowed as string[] } : {}),
    },
    deniedActions,
  };
}

function parseDenials(c: Checker, list: unknown): Denial[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) {
    c.fail("$.deniedActions", "must be an array");
    return [];
  }
  return list.flatMap((d, i): Denial[] => {
    if (typeof d === "string" && LOGS_ACTION.test(d)) return [{ action: d }];
    const groups = isObj(d) ? d.logGroups : undefined;
    if (
      isObj(d) &&
      typeof d.action === "string" &&
      LOGS_ACTION.test(d.action) &&
      Array.isArray(groups) &&
      groups.every((g) => typeof g === "string")
    )
      return [{ action: d.action, logGroups: groups as string[] }];
    c.fail(`$.deniedActions[${i}]`, 'must be a CloudWatch Logs action ("logs:Unmask") or {action, logGroups: [names]}');
    return [];
  });
}

function parseGroup(c: Checker, g: unknown, path: string, reference: number): GroupSpec | undefined {
  if (!isObj(g)) return c.fail(path, "must be an object");
  const file = g as Obj & GroupFile;
  if (typeof file.name !== "string" || !GROUP_NAME.test(file.name))
    c.fail(`${path}.name`, "must be 1-512 characters of [.-_/#A-Za-z0-9]");
  const logClass = c.oneOf(g, "logClass", path, CLASSES) ?? "STANDARD";
  if (file.accountId !== undefined && (typeof file.accountId !== "string" || !/^\d{12}$/.test(file.accountId)))
    c.fail(`${path}.accountId`, "must be 12 digits");
  const retention = c.num(g, "retentionInDays", path, 1, 3653, true);
  const range = c.section(g, "timeRange", path);
  const startT = c.time(range, "start", `${path}.timeRange`, reference) ?? reference - 86_400_000;
  const endT = c.time(range, "end", `${path}.timeRange`, reference) ?? reference;
  if (endT <= startT) c.fail(`${path}.timeRange`, "end must be after start");
  const creation = c.time(g, "creationTime", path, reference) ?? Math.min(startT, reference);
  const ev = c.section(g, "events", path);
  const count = c.num(ev, "count", `${path}.events`, 0, Number.MAX_SAFE_INTEGER, true);
  const rate = c.num(ev, "ratePerSecond", `${path}.events`, 0);
  if (count !== undefined && rate !== undefined) c.fail(`${path}.events`, "give count or ratePerSecond, not both");
  const total = count ?? (rate !== undefined ? Math.floor((rate * (endT - startT)) / 1000) : 0);
  const msg = c.section(g, "message", path);
  const shape = c.oneOf(msg, "shape", `${path}.message`, SHAPES) ?? "text";
  const size = c.num(msg, "size", `${path}.message`, 16, 262_144 - 26, true) ?? 200;
  const ing = c.section(g, "ingestion", path);
  const minDelayMs = c.num(ing, "minDelayMs", `${path}.ingestion`, 0) ?? 50;
  const maxDelayMs = c.num(ing, "maxDelayMs", `${path}.ingestion`, 0) ?? 2000;
  if (maxDelayMs < minDelayMs) c.fail(`${path}.ingestion.maxDelayMs`, "must be >= minDelayMs");
  const lateFraction = c.rate(ing, "lateFraction", `${path}.ingestion`);
  const lateDelayMs = c.num(ing, "lateDelayMs", `${path}.ingestion`, 0) ?? 3_600_000;
  const dataProtection = parseDataProtection(c, g, path);
  const names = streamNames(c, g, path);
  if (!names || typeof file.name !== "string") return undefined;
  const perStream = splitTotal(total, names.list.length, names.distribution);
  const streams: StreamSpec[] = names.list.map((name, i) => {
    const generated: GeneratedStreamSpec = {
      count: perStream[i] ?? 0,
      start: startT,
      end: endT,
      shape,
      size,
      minDelayMs,
      maxDelayMs,
      lateFraction,
      lateDelayMs,
    };
    return { name, creationTime: Math.min(startT, reference), ...(generated.count > 0 ? { generated } : {}) };
  });
  return {
    name: file.name,
    ...(typeof file.accountId === "string" ? { accountId: file.accountId } : {}),
    logClass,
    creationTime: creation,
    ...(retention !== undefined ? { retentionInDays: retention } : {}),
    ...(dataProtection !== undefined ? { dataProtection } : {}),
    streams,
  };
}

function parseDataProtection(c: Checker, g: Obj, path: string): DataProtectionSpec | undefined {
  if (g.dataProtection === undefined) return undefined;
  const p = c.section(g, "dataProtection", path);
  const at = `${path}.dataProtection`;
  const ids = p.identifiers ?? [];
  const custom = p.customPatterns ?? [];
  if (!Array.isArray(ids) || ids.some((id) => !(DATA_IDENTIFIERS as readonly unknown[]).includes(id)))
    return c.fail(`${at}.identifiers`, `must be an array of ${DATA_IDENTIFIERS.join(", ")}`);
  if (!Array.isArray(custom) || custom.some((r) => typeof r !== "string" || !isRegExp(r)))
    return c.fail(`${at}.customPatterns`, "must be an array of regular expressions");
  if (ids.length + custom.length === 0) return c.fail(at, "needs identifiers or customPatterns");
  return { identifiers: ids as DataIdentifier[], customPatterns: custom as string[] };
}

function isRegExp(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

function streamNames(c: Checker, g: Obj, path: string): { list: string[]; distribution: Distribution } | undefined {
  const s = g.streams;
  if (s === undefined) return { list: ["stream-0"], distribution: "uniform" };
  if (Array.isArray(s)) {
    const bad = s.findIndex((n) => typeof n !== "string" || !STREAM_NAME.test(n));
    if (bad >= 0) return c.fail(`${path}.streams[${bad}]`, "must be 1-512 characters without ':' or '*'");
    if (new Set(s).size !== s.length) return c.fail(`${path}.streams`, "duplicate stream names");
    return { list: s as string[], distribution: "uniform" };
  }
  if (!isObj(s)) return c.fail(`${path}.streams`, "must be an array of names or {count, namePattern, distribution}");
  const count = c.num(s, "count", `${path}.streams`, 1, 1_000_000, true);
  const distribution = c.oneOf(s, "distribution", `${path}.streams`, DISTRIBUTIONS) ?? "uniform";
  const pattern = s.namePattern ?? "stream-{index}";
  if (typeof pattern !== "string" || !pattern.includes("{index}"))
    return c.fail(`${path}.streams.namePattern`, 'must be a string containing "{index}"');
  if (count === undefined) return s.count === undefined ? c.fail(`${path}.streams.count`, "is required") : undefined;
  const width = String(count - 1).length;
  return {
    list: Array.from({ length: count }, (_, i) => pattern.replace("{index}", String(i).padStart(width, "0"))),
    distribution,
  };
}
