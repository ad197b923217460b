// Configured streams -> what they read (engine/streams.ts), against an in-process LogsApi that
// counts its calls: the log groups under the prefix are listed once for all streams, a failed
// listing is not inherited, and each kind of stream that cannot be resolved is named.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseConfig } from "../../src/config/config.js";
import type { EventPage, LinkedAccounts, LogGroup, LogsApi } from "../../src/domain/logs.js";
import { buildSources, cannotRead, GroupDirectory, resolveStream } from "../../src/engine/streams.js";

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
  async *listLogGroups(prefix?: string, linked?: LinkedAccounts): AsyncGenerator<LogGroup> {
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
      if (visible && (prefix === undefined || g.name.startsWith(prefix))) yield g;
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
  const directory = new GroupDirectory(api, "/app/");
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
  const directory = new GroupDirectory(api, undefined);
  await assert.rejects(directory.get("/app/a"), /listing failed/);
  assert.equal((await directory.get("/app/a"))?.name, "/app/a");
  assert.equal(api.listings, 2);
});

test("resolveStream: a custom report reads its log group; a log group stream reads itself", async () => {
  const api = new CountingApi([group("/app/a"), group("/app/b")]);
  const c = config({
    custom_log_reports: [{ name: "errors", log_group_name: "/app/b", filter_pattern: "ERROR" }],
  });
  const directory = new GroupDirectory(api, c.logGroupPrefix);
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
    resolveStream(clash, new GroupDirectory(api, undefined), "/app/a"),
    /^ConfigError: custom_log_reports\[0\]\.name "\/app\/a" is also the name of a log group stream/,
  );
  const missing = config({ custom_log_reports: [{ name: "r", log_group_name: "/gone" }] });
  await assert.rejects(
    resolveStream(missing, new GroupDirectory(api, undefined), "r"),
    /custom_log_reports\[0\]\.log_group_name: log group "\/gone" does not exist in eu-west-1/,
  );
  const prefixed = config({ log_group_prefix: "/app/" });
  await assert.rejects(resolveStream(prefixed, new GroupDirectory(api, "/app/"), "/other"), {
    name: "ConfigError",
    message:
      'Stream "/other" is in the catalog but is neither a custom report nor a log group with prefix "/app/" in eu-west-1; run discover again and update the catalog',
  });
  // Outside the prefix, not even looked up.
  assert.deepEqual(api.lookups, []);
});

test("cannotRead: one sentence, alone or after the setting that names the group", () => {
  const cold = group("/cold", "INFREQUENT_ACCESS");
  assert.equal(cannotRead(cold), 'Log group "/cold" is of class INFREQUENT_ACCESS, which FilterLogEvents cannot read');
  assert.equal(
    cannotRead(cold, "custom_log_reports[2].log_group_name"),
    'custom_log_reports[2].log_group_name: log group "/cold" is of class INFREQUENT_ACCESS, which FilterLogEvents cannot read',
  );
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
  const directory = new GroupDirectory(api, undefined, c.linkedAccounts);
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

test("linked accounts: outside the prefix a source account's group is listed by its name in that account", async () => {
  const api = new CountingApi([group("/x/c", undefined, SOURCE), group("/x/d", undefined, OWN)], OWN);
  const c = config({ include_linked_accounts: true, log_group_prefix: "/app/" });
  const directory = new GroupDirectory(api, "/app/", c.linkedAccounts);
  assert.equal((await directory.get(`arn:aws:logs:eu-west-1:${SOURCE}:log-group:/x/c`))?.name, "/x/c");
  assert.equal(await directory.get(`arn:aws:logs:eu-west-1:${SOURCE}:log-group:/x/d`), undefined);
  assert.equal((await directory.get("/x/d"))?.name, "/x/d");
  assert.deepEqual(api.lookups, ["/x/d"]);
});

test("without linked accounts an ARN names the caller's groups only, and no account is asked", async () => {
  const api = new CountingApi([group("/app/a", undefined, OWN)], OWN);
  const directory = new GroupDirectory(api, undefined);
  assert.equal((await directory.get(`arn:aws:logs:eu-west-1:${OWN}:log-group:/app/a:*`))?.name, "/app/a");
  assert.equal(await directory.get(`arn:aws:logs:eu-west-1:${SOURCE}:log-group:/app/a:*`), undefined);
  // "<account>:<name>" is no stream name here: report names may look like that.
  assert.equal(await directory.get(`${OWN}:/app/a`), undefined);
  assert.equal(api.ownAccountCalls, 0);
});

test("linked accounts: a failed look-up of the caller's account is not inherited", async () => {
  const api = new CountingApi([group("/app/a", undefined, OWN)], OWN);
  api.failNextOwnAccount = true;
  const directory = new GroupDirectory(api, undefined, { accountIdentifiers: [] });
  await assert.rejects(directory.get("/app/a"), /no account/);
  assert.equal((await directory.get("/app/a"))?.name, "/app/a");
  assert.equal(api.ownAccountCalls, 2);
});
