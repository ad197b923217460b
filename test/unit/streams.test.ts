// Configured streams -> what they read (engine/streams.ts), against an in-process LogsApi that
// counts its calls: the log groups under the prefix are listed once for all streams, a failed
// listing is not inherited, and each kind of stream that cannot be resolved is named.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseConfig } from "../../src/config/config.js";
import {
  type EventPage,
  type LinkedAccounts,
  type LogGroup,
  type LogGroupSelection,
  type LogsApi,
  selects,
} from "../../src/domain/logs.js";
import {
  allGroupsSource,
  buildSources,
  cannotRead,
  GroupDirectory,
  resolveStream,
  selectionOf,
  selectionWords,
  withoutExcluded,
} from "../../src/engine/streams.js";

function group(name: string, logGroupClass?: string, account?: string): LogGroup {
  return {
    name,
    creationTime: 0,
    retentionInDays: undefined,
    logGroupClass,
    storedBytes: 0,
    ...(account ? { arn: `arn:aws:logs:eu-west-1:${account}:log-group:${name}:*` } : {}),
  };
}

const OWN = "111111111111";
const SOURCE = "222222222222";

class CountingApi implements LogsApi {
  listings = 0;
  lookups: string[] = [];
  failNextListing = false;
  ownAccountCalls = 0;
  failNextOwnAccount = false;
  constructor(
    private readonly groups: readonly LogGroup[],
    private readonly own?: string,
  ) {}
  selections: LogGroupSelection[] = [];
  async *listLogGroups(selection: LogGroupSelection = {}, linked?: LinkedAccounts): AsyncGenerator<LogGroup> {
    this.selections.push(selection);
    this.listings++;
    if (this.failNextListing) {
      this.failNextListing = false;
      throw new Error("listing failed");
    }
    const ids = linked?.accountIdentifiers ?? [];
    for (const g of this.groups) {
      const account = g.arn?.split(":")[4];
      const visible = linked
        ? ids.length === 0 || ids.includes(account!)
        : account === undefined || account === this.own;
      if (visible && selects(selection, g.name)) yield g;
    }
  }
  async ownAccount(): Promise<string | undefined> {
    this.ownAccountCalls++;
    if (this.failNextOwnAccount) {
      this.failNextOwnAccount = false;
      throw new Error("no account");
    }
    return this.own;
  }
  async findLogGroup(name: string): Promise<LogGroup | undefined> {
    this.lookups.push(name);
    return this.groups.find((g) => g.name === name && (g.arn === undefined || g.arn.split(":")[4] === this.own));
  }
  async filterEvents(): Promise<EventPage> {
    return { events: [], nextToken: undefined };
  }
  close(): void {}
}

const config = (extra: Record<string, unknown> = {}) => parseConfig({ region_name: "eu-west-1", ...extra });

test("GroupDirectory: one listing for every group under the prefix; a group outside it is looked up", async () => {
  const api = new CountingApi([group("/app/a"), group("/app/b"), group("/other/c")]);
  const directory = new GroupDirectory(api, { prefix: "/app/" });
  assert.equal((await directory.get("/app/a"))?.name, "/app/a");
  assert.equal((await directory.get("/app/b"))?.name, "/app/b");
  assert.equal(await directory.get("/app/none"), undefined);
  assert.equal(api.listings, 1);
  assert.equal((await directory.get("/other/c"))?.name, "/other/c");
  assert.deepEqual(api.lookups, ["/other/c"]);
});

test("GroupDirectory: a failed listing fails that stream only; the next one lists again", async () => {
  const api = new CountingApi([group("/app/a")]);
  api.failNextListing = true;
  const directory = new GroupDirectory(api, {});
  await assert.rejects(directory.get("/app/a"), /listing failed/);
  assert.equal((await directory.get("/app/a"))?.name, "/app/a");
  assert.equal(api.listings, 2);
});

test("resolveStream: a custom report reads its log group; a log group stream reads itself", async () => {
  const api = new CountingApi([group("/app/a"), group("/app/b")]);
  const c = config({
    custom_log_reports: [{ name: "errors", log_group_name: "/app/b", filter_pattern: "ERROR" }],
  });
  const directory = new GroupDirectory(api, selectionOf(c));
  const report = await resolveStream(c, directory, "errors");
  assert.equal(report.group.name, "/app/b");
  assert.equal(report.source.filterPattern, "ERROR");
  assert.equal(report.source.report?.name, "errors");
  const plain = await resolveStream(c, directory, "/app/a");
  assert.deepEqual([plain.group.name, plain.source.logGroupName, plain.source.report], ["/app/a", "/app/a", undefined]);
});

test("resolveStream: a report named like a log group, a report's missing group, an unknown stream", async () => {
  const api = new CountingApi([group("/app/a")]);
  const clash = config({ custom_log_reports: [{ name: "/app/a", log_group_name: "/app/a" }] });
  await assert.rejects(
    resolveStream(clash, new GroupDirectory(api, {}), "/app/a"),
    /^ConfigError: custom_log_reports\[0\]\.name "\/app\/a" is also the name of a log group stream/,
  );
  const missing = config({ custom_log_reports: [{ name: "r", log_group_name: "/gone" }] });
  await assert.rejects(
    resolveStream(missing, new GroupDirectory(api, {}), "r"),
    /custom_log_reports\[0\]\.log_group_name: log group "\/gone" does not exist in eu-west-1/,
  );
  const prefixed = config({ log_group_prefix: "/app/" });
  await assert.rejects(resolveStream(prefixed, new GroupDirectory(api, { prefix: "/app/" }), "/other"), {
    name: "ConfigError",
    message:
      'Stream "/other" is in the catalog but is neither a custom report nor a log group with prefix "/app/" in eu-west-1; run discover again and update the catalog',
  });
  // Outside the prefix, not even looked up.
  assert.deepEqual(api.lookups, []);
});

test("resolveStream: a log group gone from a catalog discovered moments ago (sync) is a transient failure", async () => {
  const api = new CountingApi([group("/app/a")]);
  const c = config({});
  await assert.rejects(resolveStream(c, new GroupDirectory(api, {}), "/app/gone", true), {
    name: "ConnectorError",
    failureType: "transient_error",
    message:
      'Log group "/app/gone" was listed when this sync started but is no longer in eu-west-1 (deleted since); the next sync lists the log groups again',
  });
  // A report's missing log group stays a setting to correct.
  const report = config({ custom_log_reports: [{ name: "r", log_group_name: "/gone" }] });
  await assert.rejects(resolveStream(report, new GroupDirectory(api, {}), "r", true), { name: "ConfigError" });
  assert.equal((await resolveStream(c, new GroupDirectory(api, {}), "/app/a", true)).group.name, "/app/a");
  // A linked source account's group is named with its account.
  const linked = config({ include_linked_accounts: true });
  const directory = new GroupDirectory(new CountingApi([], OWN), selectionOf(linked), linked.linkedAccounts);
  await assert.rejects(resolveStream(linked, directory, `${SOURCE}:/app/gone`, true), {
    message: `Log group "/app/gone" of account ${SOURCE} was listed when this sync started but is no longer in eu-west-1 (deleted since); the next sync lists the log groups again`,
  });
});

test("cannotRead: one sentence, alone or after the setting that names the group", () => {
  const cold = group("/cold", "INFREQUENT_ACCESS");
  assert.equal(cannotRead(cold), 'Log group "/cold" is of class INFREQUENT_ACCESS, which FilterLogEvents cannot read');
  assert.equal(
    cannotRead(cold, "custom_log_reports[2].log_group_name"),
    'custom_log_reports[2].log_group_name: log group "/cold" is of class INFREQUENT_ACCESS, which FilterLogEvents cannot read',
  );
});

test("GroupDirectory: one listing by name pattern; a group the pattern does not select is looked up", async () => {
  const api = new CountingApi([group("/app/pay-a"), group("/app/b"), group("/x/pay")]);
  const directory = new GroupDirectory(api, { pattern: "pay" });
  assert.equal((await directory.get("/app/pay-a"))?.name, "/app/pay-a");
  assert.equal((await directory.get("/x/pay"))?.name, "/x/pay");
  assert.deepEqual(api.selections, [{ pattern: "pay" }]);
  assert.equal((await directory.get("/app/b"))?.name, "/app/b");
  assert.deepEqual(api.lookups, ["/app/b"]);
});

test("selectionOf: the pattern or the prefix, as DescribeLogGroups takes them; selectionWords says it", () => {
  assert.deepEqual(selectionOf(config({})), {});
  assert.deepEqual(selectionOf(config({ log_group_prefix: "/aws/" })), { prefix: "/aws/" });
  assert.deepEqual(selectionOf(config({ log_group_name_pattern: "pay" })), { pattern: "pay" });
  assert.equal(selectionWords(config({})), "");
  assert.equal(
    selectionWords(config({ log_group_name_pattern: "pay", excluded_log_groups: ["/x"] })),
    'whose name contains log_group_name_pattern "pay" and not in excluded_log_groups',
  );
});

test("withoutExcluded: exact names and prefixes ending in *; nothing else", () => {
  const c = config({ excluded_log_groups: ["/ecs/debug", "/aws/lambda/noisy-*"] });
  const groups = ["/ecs/debug", "/ecs/debug2", "/aws/lambda/noisy-", "/aws/lambda/noisy-1", "/aws/lambda/quiet"];
  assert.deepEqual(
    withoutExcluded(
      c,
      groups.map((n) => group(n)),
    ).map((g) => g.name),
    ["/ecs/debug2", "/aws/lambda/quiet"],
  );
});

test("resolveStream: an excluded log group in the catalog is a config error, and is never requested", async () => {
  const api = new CountingApi([group("/app/a"), group("/app/noisy-1")]);
  const c = config({ excluded_log_groups: ["/app/noisy-*"] });
  await assert.rejects(resolveStream(c, new GroupDirectory(api, selectionOf(c)), "/app/noisy-1"), {
    name: "ConfigError",
    message:
      'Stream "/app/noisy-1" is in the catalog but log group "/app/noisy-1" is excluded by excluded_log_groups entry "/app/noisy-*"; remove the stream from the catalog (run discover again) or the entry from excluded_log_groups',
  });
  assert.deepEqual([api.listings, api.lookups], [0, []]);
  // A report may carry the name of an excluded group: that group is no stream, so no clash.
  const named = config({
    excluded_log_groups: ["/app/noisy-1"],
    custom_log_reports: [{ name: "/app/noisy-1", log_group_name: "/app/a" }],
  });
  const r = await resolveStream(named, new GroupDirectory(api, selectionOf(named)), "/app/noisy-1");
  assert.equal(r.group.name, "/app/a");
  assert.equal(api.listings, 1);
});

test("resolveStream: a catalog stream the name pattern does not select is unknown, and the pattern is named", async () => {
  const api = new CountingApi([group("/app/pay"), group("/app/other")]);
  const c = config({ log_group_name_pattern: "pay" });
  await assert.rejects(resolveStream(c, new GroupDirectory(api, selectionOf(c)), "/app/other"), {
    name: "ConfigError",
    message:
      'Stream "/app/other" is in the catalog but is neither a custom report nor a log group with name pattern "pay" in eu-west-1; run discover again and update the catalog',
  });
  assert.deepEqual([api.listings, api.lookups], [0, []]);
});

test("linked accounts: a source account's group is <account>:<name>, read by ARN, with its accountId", async () => {
  const api = new CountingApi(
    [group("/app/a", undefined, OWN), group("/app/a", undefined, SOURCE), group("/app/b", undefined, SOURCE)],
    OWN,
  );
  const c = config({ include_linked_accounts: true });
  const listed: LogGroup[] = [];
  for await (const g of api.listLogGroups(undefined, c.linkedAccounts)) listed.push(g);
  const sources = buildSources(c, listed, OWN);
  assert.deepEqual(
    sources.map((s) => [s.name, s.logGroupName, s.logGroupIdentifier, s.accountId]),
    [
      ["/app/a", "/app/a", undefined, OWN],
      [`${SOURCE}:/app/a`, "/app/a", `arn:aws:logs:eu-west-1:${SOURCE}:log-group:/app/a`, SOURCE],
      [`${SOURCE}:/app/b`, "/app/b", `arn:aws:logs:eu-west-1:${SOURCE}:log-group:/app/b`, SOURCE],
    ],
  );
  const directory = new GroupDirectory(api, selectionOf(c), c.linkedAccounts);
  const own = await resolveStream(c, directory, "/app/a");
  assert.deepEqual([own.source.logGroupIdentifier, own.source.accountId], [undefined, OWN]);
  const other = await resolveStream(c, directory, `${SOURCE}:/app/a`);
  assert.equal(other.group.arn, `arn:aws:logs:eu-west-1:${SOURCE}:log-group:/app/a:*`);
  // By ARN, with or without ":*", as a custom report names it.
  assert.equal(
    await directory.get(`arn:aws:logs:eu-west-1:${SOURCE}:log-group:/app/b`),
    await directory.get(`${SOURCE}:/app/b`),
  );
  assert.equal(await directory.get(`arn:aws:logs:eu-west-1:${OWN}:log-group:/app/b:*`), undefined);
  assert.deepEqual([api.listings, api.ownAccountCalls], [2, 1]);
});

test("single stream: a group's state key is its name, or its ARN in a source account, where it is read by ARN", () => {
  const linked = config({ stream_layout: "single_stream", include_linked_accounts: true });
  const arn = `arn:aws:logs:eu-west-1:${SOURCE}:log-group:/app/a`;
  const of = (c: ReturnType<typeof config>, g: LogGroup) => {
    const { source, stateKey } = allGroupsSource(c, g, OWN);
    return [source.name, stateKey, source.logGroupIdentifier, source.accountId];
  };
  assert.deepEqual(of(linked, group("/app/a", undefined, OWN)), ["log_events", "/app/a", undefined, OWN]);
  assert.deepEqual(of(linked, group("/app/a", undefined, SOURCE)), ["log_events", arn, arn, SOURCE]);
  // Without linked accounts every group is the caller's: keyed by name, no accountId.
  const plain = config({ stream_layout: "single_stream" });
  assert.deepEqual(of(plain, group("/app/a", undefined, SOURCE)), ["log_events", "/app/a", undefined, undefined]);
});

test("linked accounts: outside the prefix a source account's group is listed by its name in that account", async () => {
  const api = new CountingApi([group("/x/c", undefined, SOURCE), group("/x/d", undefined, OWN)], OWN);
  const c = config({ include_linked_accounts: true, log_group_prefix: "/app/" });
  const directory = new GroupDirectory(api, selectionOf(c), c.linkedAccounts);
  assert.equal((await directory.get(`arn:aws:logs:eu-west-1:${SOURCE}:log-group:/x/c`))?.name, "/x/c");
  assert.equal(await directory.get(`arn:aws:logs:eu-west-1:${SOURCE}:log-group:/x/d`), undefined);
  assert.equal((await directory.get("/x/d"))?.name, "/x/d");
  assert.deepEqual(api.lookups, ["/x/d"]);
});

test("without linked accounts an ARN names the caller's groups only, and no account is asked", async () => {
  const api = new CountingApi([group("/app/a", undefined, OWN)], OWN);
  const directory = new GroupDirectory(api, {});
  assert.equal((await directory.get(`arn:aws:logs:eu-west-1:${OWN}:log-group:/app/a:*`))?.name, "/app/a");
  assert.equal(await directory.get(`arn:aws:logs:eu-west-1:${SOURCE}:log-group:/app/a:*`), undefined);
  // "<account>:<name>" is no stream name here: report names may look like that.
  assert.equal(await directory.get(`${OWN}:/app/a`), undefined);
  assert.equal(api.ownAccountCalls, 0);
});

test("linked accounts: a failed look-up of the caller's account is not inherited", async () => {
  const api = new CountingApi([group("/app/a", undefined, OWN)], OWN);
  api.failNextOwnAccount = true;
  const directory = new GroupDirectory(api, {}, { accountIdentifiers: [] });
  await assert.rejects(directory.get("/app/a"), /no account/);
  assert.equal((await directory.get("/app/a"))?.name, "/app/a");
  assert.equal(api.ownAccountCalls, 2);
});

test("linked accounts with a name pattern: <account>:<name> is selected by its name; outside the pattern a source group is listed in its account", async () => {
  const api = new CountingApi(
    [group("/app/pay", undefined, OWN), group("/app/pay", undefined, SOURCE), group("/x/c", undefined, SOURCE)],
    OWN,
  );
  const c = config({ include_linked_accounts: true, log_group_name_pattern: "pay" });
  const directory = new GroupDirectory(api, selectionOf(c), c.linkedAccounts);
  const source = await resolveStream(c, directory, `${SOURCE}:/app/pay`);
  assert.equal(source.source.logGroupIdentifier, `arn:aws:logs:eu-west-1:${SOURCE}:log-group:/app/pay`);
  assert.equal((await resolveStream(c, directory, "/app/pay")).source.logGroupIdentifier, undefined);
  assert.deepEqual(api.selections, [{ pattern: "pay" }]);
  // Not selected by the pattern: no stream, and nothing asked.
  await assert.rejects(resolveStream(c, directory, `${SOURCE}:/x/c`), {
    name: "ConfigError",
    message: new RegExp(
      `^Stream "${SOURCE}:/x/c" is in the catalog but is neither a custom report nor a log group with name pattern "pay"`,
    ),
  });
  assert.equal(api.listings, 1);
  // A report may still name it by ARN: listed by its name, in its account only.
  assert.equal((await directory.get(`arn:aws:logs:eu-west-1:${SOURCE}:log-group:/x/c`))?.name, "/x/c");
  assert.deepEqual(api.selections, [{ pattern: "pay" }, { prefix: "/x/c" }]);
});

test("linked accounts: exclusions match the log group name of <account>:<name>; an excluded group is never requested", async () => {
  const api = new CountingApi([group("/app/a", undefined, SOURCE), group("/app/noisy-1", undefined, SOURCE)], OWN);
  const c = config({ include_linked_accounts: true, excluded_log_groups: ["/app/noisy-*"] });
  await assert.rejects(
    resolveStream(c, new GroupDirectory(api, selectionOf(c), c.linkedAccounts), `${SOURCE}:/app/noisy-1`),
    {
      name: "ConfigError",
      message: `Stream "${SOURCE}:/app/noisy-1" is in the catalog but log group "/app/noisy-1" is excluded by excluded_log_groups entry "/app/noisy-*"; remove the stream from the catalog (run discover again) or the entry from excluded_log_groups`,
    },
  );
  assert.equal(api.listings, 0);
  assert.deepEqual(
    withoutExcluded(c, [
      group("/app/noisy-1", undefined, OWN),
      group("/app/noisy-1", undefined, SOURCE),
      group("/app/a", undefined, SOURCE),
    ]).map((g) => g.arn),
    [`arn:aws:logs:eu-west-1:${SOURCE}:log-group:/app/a:*`],
  );
  // A report named like an excluded source group's stream: that group is no stream, so no clash.
  const named = config({
    include_linked_accounts: true,
    excluded_log_groups: ["/app/noisy-1"],
    custom_log_reports: [
      { name: `${SOURCE}:/app/noisy-1`, log_group_name: `arn:aws:logs:eu-west-1:${SOURCE}:log-group:/app/a` },
    ],
  });
  const r = await resolveStream(
    named,
    new GroupDirectory(api, selectionOf(named), named.linkedAccounts),
    `${SOURCE}:/app/noisy-1`,
  );
  assert.equal(r.source.logGroupIdentifier, `arn:aws:logs:eu-west-1:${SOURCE}:log-group:/app/a`);
});
