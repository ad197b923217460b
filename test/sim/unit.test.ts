// Pure parts of the simulator: generation, merge order, tokens, pages, quotas, scenario checks.
import { test } from "node:test";
import assert from "node:assert/strict";
import { GeneratedEvents } from "../../sim/generated-events.js";
import { SeededEvents } from "../../sim/seeded-events.js";
import { Merge, type Cursor } from "../../sim/merge.js";
import { firstAfter, lowerBoundTime, type EventSource } from "../../sim/event-source.js";
import { fillPage } from "../../sim/page.js";
import { PageBuffer } from "../../sim/page-buffer.js";
import { decodeToken, encodeToken, paramHash, TOKEN_LIFETIME_MS } from "../../sim/tokens.js";
import { TokenBucket, defaultQuotas } from "../../sim/quotas.js";
import { parseScenario, ScenarioError } from "../../sim/validate-scenario.js";
import { splitTotal } from "../../sim/distribution.js";
import { compileFilterPattern } from "../../sim/filter-pattern.js";
import { makeCorpus } from "../../sim/messages.js";
import { expectedEvents } from "../../sim/expected.js";
import { makeGroups } from "../../sim/make-groups.js";
import type { GeneratedStreamSpec } from "../../sim/model.js";
import { makeMasker } from "../../sim/data-protection.js";

const corpus = makeCorpus(1);
const spec = (over: Partial<GeneratedStreamSpec> = {}): GeneratedStreamSpec => ({
  count: 1000,
  start: 1_700_000_000_000,
  end: 1_700_000_100_000,
  shape: "text",
  size: 120,
  minDelayMs: 10,
  maxDelayMs: 500,
  lateFraction: 0.1,
  lateDelayMs: 3_600_000,
  ...over,
});
const gen = (name: string, ord: number, over: Partial<GeneratedStreamSpec> = {}): GeneratedEvents =>
  new GeneratedEvents(name, ord, spec(over), ord * 7919 + 1, 42, corpus);

function drain(merge: Merge): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  for (let c = merge.top(); c; c = merge.top()) {
    out.push([c.ts, c.src.ord, c.src.tiebreakAt(c.i)]);
    merge.advance();
  }
  return out;
}
const cursor = (src: EventSource, i = 0, stop = src.length()): Cursor => ({ src, i, stop, ts: 0 });

test("generated events are deterministic, in time range, monotonic, with unique ids", () => {
  const a = gen("s", 0);
  const b = gen("s", 0);
  const ids = new Set<string>();
  let prev = -Infinity;
  for (let i = 0; i < a.length(); i++) {
    assert.equal(a.messageAt(i), b.messageAt(i));
    assert.equal(a.ingestionAt(i), b.ingestionAt(i));
    const t = a.timestampAt(i);
    assert.ok(t >= prev && t >= spec().start && t < spec().end);
    assert.ok(a.ingestionAt(i) >= t + 10);
    assert.equal(a.eventIdAt(i).length, 56);
    assert.match(a.eventIdAt(i), /^\d{56}$/);
    ids.add(a.eventIdAt(i));
    assert.equal(a.messageAt(i).length, 120);
    prev = t;
  }
  assert.equal(ids.size, a.length());
  const late = Array.from({ length: a.length() }, (_, i) => a.ingestionAt(i) - a.timestampAt(i)).filter(
    (d) => d >= 3_600_000,
  ).length;
  assert.ok(late > 50 && late < 150, `about 10% late, got ${late}`);
});

test("many events per millisecond still give non-decreasing timestamps and exact bounds", () => {
  const s = gen("dense", 0, { count: 50_000, end: 1_700_000_000_100 });
  for (let i = 1; i < s.length(); i++) assert.ok(s.timestampAt(i) >= s.timestampAt(i - 1));
  const t = 1_700_000_000_050;
  const k = lowerBoundTime(s, t);
  assert.ok(s.timestampAt(k) >= t && s.timestampAt(k - 1) < t);
});

test("message shapes: json parses, access-log looks like one", () => {
  const j = gen("j", 0, { shape: "json", size: 200 });
  for (let i = 0; i < 50; i++) assert.equal(typeof (JSON.parse(j.messageAt(i)) as { level: string }).level, "string");
  const a = gen("a", 0, { shape: "access-log", size: 150 });
  assert.match(a.messageAt(3), /^10\.\d+\.\d+\.\d+ - - \[.+\] "GET \/\S* HTTP\/1\.1" \d{3} \d+/);
});

test("merge yields (timestamp, ord, tiebreak) order across sources, forward and backward", () => {
  const sources = [gen("a", 0), gen("b", 2), gen("c", 4, { count: 10 })];
  const fwd = drain(
    new Merge(
      sources.map((s) => cursor(s)),
      1,
    ),
  );
  assert.equal(fwd.length, 2010);
  for (let i = 1; i < fwd.length; i++) {
    const [p, c] = [fwd[i - 1]!, fwd[i]!];
    assert.ok(p[0] < c[0] || (p[0] === c[0] && (p[1] < c[1] || (p[1] === c[1] && p[2] < c[2]))));
  }
  const back = drain(
    new Merge(
      sources.map((s) => cursor(s, s.length() - 1, 0)),
      -1,
    ),
  );
  assert.deepEqual(back, [...fwd].reverse());
});

test("resuming after any key continues the merge exactly", () => {
  const sources = [gen("a", 0, { count: 300 }), gen("b", 2, { count: 300 })];
  const all = drain(
    new Merge(
      sources.map((s) => cursor(s)),
      1,
    ),
  );
  for (const at of [0, 1, 150, 598]) {
    const key = all[at]!;
    const rest = drain(
      new Merge(
        sources.map((s) => cursor(s, firstAfter(s, key))),
        1,
      ),
    );
    assert.deepEqual(rest, all.slice(at + 1));
  }
});

test("seeded events stay sorted by (timestamp, arrival) when older events arrive later", () => {
  const s = new SeededEvents("s", 1, 42);
  s.add(100, "a", 1);
  s.add(300, "b", 2);
  s.add(200, "late", 3);
  s.add(200, "later", 4);
  assert.deepEqual(
    Array.from({ length: 4 }, (_, i) => s.messageAt(i)),
    ["a", "late", "later", "b"],
  );
  assert.equal(firstAfter(s, [200, 1, 2]), 2);
});

test("fillPage honours event limit, byte cap, scan cap and visibility", () => {
  const src = gen("p", 0, { count: 5000, lateFraction: 0 });
  const render = (out: PageBuffer, _s: EventSource, i: number): void => out.ascii(`{"i":${i}}`);
  const now = spec().end + 10_000;
  const fill = (
    limits: { maxEvents: number; maxBytes: number; maxScan: number },
    at = now,
    matches?: () => boolean,
  ): { page: ReturnType<typeof fillPage>; text: string } => {
    const out = new PageBuffer(16);
    const page = fillPage(out, new Merge([cursor(src)], 1), limits, at, matches, render);
    return { page, text: out.bytes().toString() };
  };
  const byCount = fill({ maxEvents: 100, maxBytes: 1e9, maxScan: 1e9 });
  assert.equal(byCount.page.count, 100);
  assert.equal((JSON.parse(`[${byCount.text}]`) as unknown[]).length, 100);
  assert.equal(byCount.page.exhausted, false);
  const byBytes = fill({ maxEvents: 1e9, maxBytes: 100, maxScan: 1e9 });
  assert.ok(byBytes.page.bytes <= 100 && byBytes.text.length === byBytes.page.bytes);
  assert.equal((JSON.parse(`[${byBytes.text}]`) as unknown[]).length, byBytes.page.count);
  assert.ok(byBytes.page.bytes + `,{"i":${byBytes.page.count}}`.length > 100, "the next event would not fit");
  const byScan = fill({ maxEvents: 1e9, maxBytes: 1e9, maxScan: 50 }, now, () => false);
  assert.equal(byScan.page.count, 0);
  assert.deepEqual(byScan.page.lastKey, [src.timestampAt(49), 0, 49]);
  const early = fill({ maxEvents: 1e9, maxBytes: 1e9, maxScan: 1e9 }, spec().start - 1);
  assert.equal(early.page.count, 0);
  assert.equal(early.page.exhausted, true);
});

test("tokens round-trip, are bound to their parameters and expire after 24 h", () => {
  const p = paramHash(["F", "/g", 1, 2]);
  const t = encodeToken({ p, t: 1000, k: [5, 0, 7] });
  assert.deepEqual(decodeToken(t, p, 2000).k, [5, 0, 7]);
  assert.throws(() => decodeToken(t, paramHash(["F", "/g", 1, 3]), 2000), {
    type: "InvalidParameterException",
  } as object);
  assert.throws(() => decodeToken(t, p, 1000 + TOKEN_LIFETIME_MS + 1), /expired/);
  assert.throws(() => decodeToken("garbage!", p, 0), /invalid/);
});

test("token bucket allows `rate` per second and refills", () => {
  let now = 0;
  const b = new TokenBucket(5, () => now);
  assert.equal([1, 2, 3, 4, 5, 6].filter(() => b.tryTake()).length, 5);
  now += 200;
  assert.equal(b.tryTake(), true);
  assert.equal(b.tryTake(), false);
  assert.equal(defaultQuotas("us-east-1").FilterLogEvents, 25);
  assert.equal(defaultQuotas("eu-west-1").FilterLogEvents, 10);
  assert.equal(defaultQuotas("eu-central-1").FilterLogEvents, 5);
  assert.equal(defaultQuotas("eu-west-3").GetLogEvents, 30);
});

test("scenario validation reports every bad field by path", () => {
  const err = (() => {
    try {
      parseScenario({
        quotas: { FilterLogEvents: -1, Bogus: 3 },
        faults: { http500Rate: 2 },
        logGroups: [
          {
            name: "bad name!",
            logClass: "COLD",
            timeRange: { start: "yesterday", end: "now" },
            streams: { count: 0 },
            message: { shape: "xml" },
          },
        ],
      });
    } catch (e) {
      return e;
    }
    return undefined;
  })();
  assert.ok(err instanceof ScenarioError);
  const paths = err.issues.map((i) => i.path);
  for (const p of [
    "$.quotas.FilterLogEvents",
    "$.quotas.Bogus",
    "$.faults.http500Rate",
    "$.logGroups[0].name",
    "$.logGroups[0].logClass",
    "$.logGroups[0].timeRange.start",
    "$.logGroups[0].streams.count",
    "$.logGroups[0].message.shape",
  ]) {
    assert.ok(paths.includes(p), `missing ${p} in ${paths.join(", ")}`);
  }
});

test("scenario accounts: a group may belong to a linked account; one name per account", () => {
  const issues = (logGroups: unknown[]) => {
    try {
      parseScenario({ accountId: "111111111111", logGroups });
    } catch (e) {
      return (e as ScenarioError).issues.map((i) => `${i.path}: ${i.message}`);
    }
    return [];
  };
  assert.deepEqual(issues([{ name: "/a" }, { name: "/a", accountId: "222222222222" }]), []);
  assert.deepEqual(issues([{ name: "/a" }, { name: "/a", accountId: "111111111111" }]), [
    "$.logGroups: duplicate log group name /a in account 111111111111",
  ]);
  assert.deepEqual(issues([{ name: "/a", accountId: "2222" }]), ["$.logGroups[0].accountId: must be 12 digits"]);
  const s = parseScenario({ accountId: "111111111111", logGroups: [{ name: "/a", accountId: "222222222222" }] });
  assert.equal(s.groups[0]?.accountId, "222222222222");
});

test("scenario resolution: relative times, stream patterns, group sets, expected events", () => {
  const s = parseScenario(
    {
      clock: { start: "2024-06-01T00:00:00Z" },
      logGroups: [
        {
          name: "/a",
          streams: { count: 12, namePattern: "i-{index}" },
          timeRange: { start: "now-1h", end: "now" },
          events: { ratePerSecond: 2 },
        },
      ],
      groupSets: [{ namePrefix: "/bench/g", count: 5, totalEvents: 1000, distribution: "power-law" }],
    },
    0,
  );
  const a = s.groups[0]!;
  assert.equal(a.streams[0]!.name, "i-00");
  assert.equal(
    a.streams.reduce((n, st) => n + (st.generated?.count ?? 0), 0),
    7200,
  );
  assert.equal(a.streams[0]!.generated!.end, Date.parse("2024-06-01T00:00:00Z"));
  assert.deepEqual(
    s.groups.slice(1).map((g) => g.name),
    ["/bench/g0", "/bench/g1", "/bench/g2", "/bench/g3", "/bench/g4"],
  );
  const sizes = s.groups.slice(1).map((g) => g.streams.reduce((n, st) => n + (st.generated?.count ?? 0), 0));
  assert.equal(
    sizes.reduce((x, y) => x + y),
    1000,
  );
  assert.ok(sizes[0]! > sizes[4]! * 4);
  assert.equal([...expectedEvents(s, { withoutMessages: true })].length, 8200);
  assert.deepEqual(splitTotal(10, 3, "uniform"), [4, 3, 3]);
  assert.equal(makeGroups({ namePrefix: "/x/", count: 3, totalEvents: 9 }).length, 3);
});

test("filter patterns: terms, phrases, exclusions, alternatives, regex", () => {
  const m = (p: string, s: string): boolean => compileFilterPattern(p)!(s);
  assert.equal(compileFilterPattern(""), undefined);
  assert.equal(m("ERROR db", "ERROR [db] x"), true);
  assert.equal(m("ERROR db", "ERROR [api] x"), false);
  assert.equal(m('"disk full"', "the disk full now"), true);
  assert.equal(m('"disk full"', "full disk"), false);
  assert.equal(m("ERROR -timeout", "ERROR timeout"), false);
  assert.equal(m("?WARN ?ERROR", "WARN x"), true);
  assert.equal(m("?WARN ?ERROR", "INFO x"), false);
  assert.equal(m("%^ERR.R%", "ERROR"), true);
  assert.throws(() => compileFilterPattern('{ $.level = "x" }'), { type: "InvalidParameterException" } as object);
});

test("data protection: identifiers and custom patterns mask each character with *; bad policies are refused", () => {
  const mask = makeMasker({ identifiers: ["EmailAddress", "IpAddress"], customPatterns: ["acct-[0-9]{6}"] });
  assert.equal(
    mask("login ann.lee@example.com from 10.1.2.3 acct-123456 ok"),
    "login ******************* from ******** *********** ok",
  );
  assert.equal(mask("nothing sensitive"), "nothing sensitive");
  const issues = (scenario: unknown): string[] => {
    try {
      parseScenario(scenario);
    } catch (e) {
      return (e as ScenarioError).issues.map((i) => `${i.path}: ${i.message}`);
    }
    return [];
  };
  assert.deepEqual(
    issues({
      deniedActions: ["logs:Unmask", { action: "logs:Unmask", logGroups: ["/a"] }],
      logGroups: [{ name: "/a", dataProtection: { identifiers: ["EmailAddress"] } }],
    }),
    [],
  );
  const bad = issues({
    deniedActions: ["s3:GetObject", { action: "logs:Unmask" }],
    logGroups: [
      { name: "/a", dataProtection: { identifiers: ["Passport"] } },
      { name: "/b", dataProtection: { customPatterns: ["("] } },
      { name: "/c", dataProtection: {} },
    ],
  });
  assert.deepEqual(
    bad.map((i) => i.split(":")[0]),
    [
      "$.deniedActions[0]",
      "$.deniedActions[1]",
      "$.logGroups[0].dataProtection.identifiers",
      "$.logGroups[1].dataProtection.customPatterns",
      "$.logGroups[2].dataProtection",
    ],
  );
});
