// `sync`'s flags for the common settings (--region, --profile, --prefix, --since), so a sync needs
// no configuration file: each flag, the configuration field it sets, its checks (errors name the
// flag) and its words in later messages. The one home of that mapping.
import { ConfigError } from "../airbyte/errors.js";
import type { Config } from "../config/config.js";
import { connectionSpecification } from "../config/spec.js";

const settings = connectionSpecification.properties;

/** Each setting flag and the configuration field it sets. */
const FIELD_OF = {
  "--region": "region_name",
  "--profile": "profile",
  "--prefix": "log_group_prefix",
  "--since": "start_date",
} as const;

type SettingFlag = keyof typeof FIELD_OF;

/** The setting flags given, with their values as typed. */
export type SettingFlags = Readonly<Partial<Record<SettingFlag, string>>>;

/** The setting flags among a command line's flags. */
export function settingFlagsOf(flags: ReadonlyMap<string, string>): SettingFlags {
  return Object.fromEntries(
    Object.keys(FIELD_OF).flatMap((flag) => (flags.has(flag) ? [[flag, flags.get(flag)!]] : [])),
  );
}

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const DURATION = /^(\d+)([smhdw])$/;
// A date, or a date and time (seconds and their fraction optional) with its zone.
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/;

function sinceError(text: string, problem: string): ConfigError {
  return new ConfigError(`--since: ${JSON.stringify(text)} ${problem}`);
}

/** A timestamp's epoch ms, or why it is none. */
function timestampOf(text: string): number | string {
  const m = TIMESTAMP.exec(text);
  if (!m) return "is neither a duration (30m, 2h, 7d) nor a timestamp (2026-11-30T00:00:00Z)";
  const [, y, mo, d, h, mi, s, , zone] = m;
  // A time without a zone would be read in some time zone the user did not name.
  if (h !== undefined && zone === undefined) return "has no time zone: end it with Z (UTC) or an offset such as +01:00";
  const parts = [Number(y), Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0)] as const;
  const utc = Date.UTC(...parts);
  const back = new Date(utc);
  const read = [
    back.getUTCFullYear(),
    back.getUTCMonth(),
    back.getUTCDate(),
    back.getUTCHours(),
    back.getUTCMinutes(),
    back.getUTCSeconds(),
  ];
  // Date.UTC rolls 2026-02-30 over to March; a date that does not come back is not one.
  if (read.some((v, i) => v !== parts[i])) return "is not a real date and time";
  const offset =
    zone === undefined || zone === "Z"
      ? 0
      : Number(`${zone[0]}1`) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4)));
  // Time zones lie between -12:00 and +14:00.
  if (offset < -12 * 60 || offset > 14 * 60 || Number(zone?.slice(4) ?? 0) > 59)
    return `has an offset no time zone has (${zone}); time zones run from -12:00 to +14:00`;
  return utc - offset * 60_000;
}

/**
 * --since as the start_date it sets: `now` minus a duration, or a timestamp (a date alone is its
 * midnight UTC), to the second (start_date's precision; earlier, so nothing after it is missed).
 * Refused when nothing could be read from it: before 1970, or after `latest`.
 */
export function sinceStart(text: string, now: number, latest: number): string {
  const duration = DURATION.exec(text);
  const ms = duration ? now - Number(duration[1]) * UNIT_MS[duration[2] as keyof typeof UNIT_MS] : timestampOf(text);
  if (typeof ms === "string") throw sinceError(text, ms);
  if (ms < 0) throw sinceError(text, "starts before 1970, where CloudWatch timestamps start");
  if (ms > latest)
    throw sinceError(
      text,
      `starts after ${new Date(latest).toISOString()} (now minus ingestion_delay_seconds), so nothing could be read; give an earlier start`,
    );
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

function has(file: Record<string, unknown>, field: string): boolean {
  const v = file[field];
  return v !== undefined && v !== null && !(typeof v === "string" && v.trim() === "");
}

/**
 * The configuration a sync runs with: the --config file's (undefined: none) with the flags'
 * fields over it. The flags are checked here, so their errors name them; a file that is no
 * object is left for the configuration's own check.
 */
export function syncConfig(file: unknown, flags: SettingFlags, now: number): unknown {
  const isObject = file !== null && typeof file === "object" && !Array.isArray(file);
  if (file !== undefined && !isObject) return file;
  const base = (file ?? {}) as Record<string, unknown>;
  const set: Record<string, string> = {};
  const region = flags["--region"];
  if (region !== undefined) {
    if (!new RegExp(settings.region_name.pattern).test(region))
      throw new ConfigError(`--region: ${JSON.stringify(region)} is not an AWS region; give one such as us-east-1`);
    set.region_name = region;
  }
  const profile = flags["--profile"];
  if (profile !== undefined) {
    const keys = ["aws_access_key_id", "aws_secret_access_key"].filter((k) => has(base, k));
    if (keys.length > 0)
      throw new ConfigError(
        `--profile: the --config file has ${keys.join(" and ")}, and each names the credentials to use; remove the keys from the file, or leave out --profile`,
      );
    set.profile = profile;
  }
  const prefix = flags["--prefix"];
  if (prefix !== undefined) {
    if (has(base, "log_group_name_pattern"))
      throw new ConfigError(
        "--prefix: the --config file has log_group_name_pattern, and log groups are selected by a prefix or a pattern, not both; remove one",
      );
    set.log_group_prefix = prefix;
  }
  const since = flags["--since"];
  if (since !== undefined) {
    const delay = base.ingestion_delay_seconds;
    const delayMs = (typeof delay === "number" ? delay : settings.ingestion_delay_seconds.default) * 1000;
    set.start_date = sinceStart(since, now, now - delayMs);
  }
  return { ...base, ...set };
}

/** What the flags change in the parsed configuration: --since starts only the streams without state. */
export function flagOverride(flags: SettingFlags | undefined): Partial<Config> {
  return flags?.["--since"] === undefined ? {} : { startDateOnlyWithoutState: true };
}

/**
 * A message about the configuration in the words of the flags that set its fields: `region_name`
 * becomes `--region`, where the region came from --region. A field name only, never a quoted value.
 */
export function inFlagTerms(message: string, flags: SettingFlags | undefined): string {
  let text = message;
  for (const [flag, field] of Object.entries(FIELD_OF)) {
    // `profile` is also a word of the messages; they name --profile themselves.
    if (flags?.[flag as SettingFlag] === undefined || field === "profile") continue;
    text = text.replace(new RegExp(`(?<![\\w"/.-])${field}(?![\\w"/-]|\\.\\w)`, "g"), flag);
  }
  return text;
}
