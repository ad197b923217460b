import { test } from "node:test";
import assert from "node:assert/strict";
import { notInCatalog, parseState } from "../../src/airbyte/state.js";
import { ConfigError } from "../../src/airbyte/errors.js";

const stream = (name: string, ts: unknown) => ({
  type: "STREAM",
  stream: { stream_descriptor: { name }, stream_state: { timestamp: ts } },
});

test("every state form Airbyte uses is accepted", () => {
  assert.deepEqual([...parseState(undefined)], []);
  assert.deepEqual([...parseState([])], []);
  assert.deepEqual([...parseState({})], []);
  assert.deepEqual(
    [...parseState([stream("a", 5), stream("b", 7)])],
    [
      ["a", 5],
      ["b", 7],
    ],
  );
  assert.deepEqual([...parseState(stream("a", 5))], [["a", 5]]);
  assert.deepEqual(
    [
      ...parseState([
        {
          type: "GLOBAL",
          global: {
            shared_state: {},
            stream_states: [{ stream_descriptor: { name: "g" }, stream_state: { timestamp: 9 } }],
          },
        },
      ]),
    ],
    [["g", 9]],
  );
  assert.deepEqual([...parseState([{ type: "LEGACY", data: { l: { timestamp: 3 } } }])], [["l", 3]]);
  assert.deepEqual(
    [...parseState({ "/aws/lambda/x": { timestamp: 1700000000000 } })],
    [["/aws/lambda/x", 1700000000000]],
  );
  const report = parseState([
    {
      type: "STREAM",
      stream: { stream_descriptor: { name: "r" }, stream_state: { timestamp: 5, report_definition: "sha256:ab" } },
    },
  ]);
  assert.deepEqual([...report], [["r", 5]]);
  assert.deepEqual([...report.reportDefinitions], [["r", "sha256:ab"]], "a custom report's definition is kept");
  assert.throws(() => parseState({ r: { timestamp: 5, report_definition: 7 } }), {
    name: "ConfigError",
    message:
      'state for stream "r": report_definition must be the string a read wrote there (got 7); restore it, or remove it to continue the report from this timestamp',
  });
  assert.deepEqual(
    [...parseState([stream("s", "1700000000000")])],
    [["s", 1700000000000]],
    "numeric strings are accepted",
  );
  assert.deepEqual(
    [...parseState([{ type: "STREAM", stream: { stream_descriptor: { name: "e" }, stream_state: {} } }])],
    [],
    "an empty blob means no state",
  );
});

test("bad states are config errors that name the stream and the problem", () => {
  const cases: [unknown, RegExp][] = [
    [[stream("a", -1)], /stream "a": timestamp must be a non-negative integer/],
    [[stream("a", "yesterday")], /stream "a": timestamp/],
    [[stream("a", 1.5)], /stream "a": timestamp/],
    [[{ type: "STREAM", stream: { stream_descriptor: {} } }], /stream_descriptor.name is missing/],
    [[{ type: "BOGUS" }], /unknown state type "BOGUS"/],
    [{ type: "BOGUS" }, /unknown type "BOGUS"/],
    ["garbage", /must be a JSON array/],
    [[42], /state\[0\] must be an object/],
    [{ a: 5 }, /stream "a" must be an object/],
  ];
  for (const [input, pattern] of cases) {
    assert.throws(
      () => parseState(input),
      (err: unknown) => err instanceof ConfigError && pattern.test(err.message),
      JSON.stringify(input),
    );
  }
});

test("STATE messages as `read` wrote them are accepted, alone, in an array, or among other messages", () => {
  const wrapped = (name: string, ts: unknown) => ({ type: "STATE", state: stream(name, ts) });
  assert.deepEqual([...parseState(wrapped("a", 5))], [["a", 5]]);
  assert.deepEqual(
    [...parseState([wrapped("a", 5), wrapped("b", 7), wrapped("a", 9)])],
    [
      ["a", 9],
      ["b", 7],
    ],
    "the last state of a stream counts",
  );
  assert.deepEqual(
    [...parseState([{ type: "STATE", state: { data: { l: { timestamp: 3 } } } }])],
    [["l", 3]],
    "a wrapped legacy state",
  );
  const stdout = [
    { type: "TRACE", trace: { type: "STREAM_STATUS" } },
    { type: "RECORD", record: { stream: "a", data: {}, emitted_at: 1 } },
    wrapped("a", 5),
    { type: "LOG", log: { level: "INFO", message: "x" } },
    stream("b", 2),
    wrapped("a", 8),
  ];
  assert.deepEqual(
    [...parseState(stdout)],
    [
      ["a", 8],
      ["b", 2],
    ],
  );
});

test("saved read output without a STATE message, and malformed STATE messages, are config errors", () => {
  const cases: [unknown, RegExp][] = [
    [
      [
        { type: "RECORD", record: {} },
        { type: "LOG", log: {} },
      ],
      /Airbyte messages \(RECORD, LOG\) but no STATE message/,
    ],
    [{ type: "TRACE", trace: {} }, /Airbyte messages \(TRACE\) but no STATE message/],
    [{ type: "STATE" }, /state: a STATE message needs a "state" object/],
    [[{ type: "STATE", state: 5 }], /state\[0\]: a STATE message needs a "state" object/],
    [[{ type: "STATE", state: stream("a", -1) }], /stream "a": timestamp must be a non-negative integer/],
    [[{ type: "STATE", state: { type: "BOGUS" } }], /state\[0\]\.state: unknown state type "BOGUS"/],
  ];
  for (const [input, pattern] of cases) {
    assert.throws(
      () => parseState(input),
      (err: unknown) => err instanceof ConfigError && pattern.test(err.message),
      JSON.stringify(input),
    );
  }
  assert.throws(
    () => parseState([5], { itemName: (i) => `--state line ${i + 3}` }),
    /--state line 3 must be an object/,
  );
});

test("the single stream's state: one watermark per log group, beside the timestamps of other streams", () => {
  const blob = { log_groups: { "/a": { timestamp: 5 }, "/b": { timestamp: "7" } } };
  const s = parseState([
    stream("r", 3),
    { type: "STREAM", stream: { stream_descriptor: { name: "log_events" }, stream_state: blob } },
  ]);
  assert.deepEqual([...s], [["r", 3]]);
  assert.deepEqual(
    [...s.groupWatermarks.get("log_events")!],
    [
      ["/a", 5],
      ["/b", 7],
    ],
  );
  // The last state of a stream counts, whatever its shape.
  const later = parseState([
    { type: "STREAM", stream: { stream_descriptor: { name: "x" }, stream_state: blob } },
    stream("x", 9),
  ]);
  assert.deepEqual([...later], [["x", 9]]);
  assert.equal(later.groupWatermarks.size, 0);
  assert.deepEqual([...parseState({ log_events: { log_groups: {} } }).groupWatermarks], [["log_events", new Map()]]);
});

test("a single stream state that does not fit is a config error naming the stream and log group", () => {
  const cases: [unknown, RegExp][] = [
    [{ log_groups: 5 }, /stream "e": log_groups must be an object/],
    [{ log_groups: [] }, /stream "e": log_groups must be an object/],
    [{ log_groups: {}, timestamp: 3 }, /stream "e" has both "timestamp" and "log_groups"/],
    [{ log_groups: { "/a": 5 } }, /stream "e", log group "\/a" must be an object/],
    [
      { log_groups: { "/a": {} } },
      /stream "e", log group "\/a": timestamp must be a non-negative integer .*it is missing/,
    ],
    [{ log_groups: { "/a": { timestamp: -1 } } }, /log group "\/a": timestamp must be a non-negative integer/],
    [{ log_groups: { "": { timestamp: 1 } } }, /stream "e": log_groups has an empty log group name/],
    [
      { log_groups: { "/a": { timestamp: 1 } }, log_group_creation_time: 1 },
      /stream "e" has "log_group_creation_time" beside "log_groups"; it belongs in a log group's entry/,
    ],
    [{ log_groups: {}, version: 3 }, /stream "e": version must be 2, as this connector writes it \(got 3\)/],
    [{ log_groups: {}, version: "2" }, /stream "e": version must be 2, .*\(got "2"\).*remove version/],
    [{ log_groups: {}, version: null }, /stream "e": version must be 2, .*\(got null\)/],
    [
      { version: 2, log_groups: { "/a": { timestamp: 1, earlier_version: "yes" } } },
      /stream "e", log group "\/a": earlier_version must be true, as a read wrote it \(got "yes"\)/,
    ],
  ];
  for (const [blob, pattern] of cases) {
    assert.throws(
      () => parseState([{ type: "STREAM", stream: { stream_descriptor: { name: "e" }, stream_state: blob } }]),
      (err: unknown) => err instanceof ConfigError && pattern.test(err.message),
      JSON.stringify(blob),
    );
  }
});

test("a state's origin is kept for its stream, a single stream's too; one of another type is a config error", () => {
  const origin = "arn:aws:logs:us-east-1:123456789012";
  const s = parseState({
    a: { timestamp: 5, origin },
    r: { timestamp: 6, report_definition: "sha256:ab", origin },
    log_events: { log_groups: { "/g": { timestamp: 7 } }, origin },
    old: { timestamp: 8 },
  });
  assert.deepEqual(
    [...s],
    [
      ["a", 5],
      ["r", 6],
      ["old", 8],
    ],
  );
  assert.deepEqual([...s.origins.keys()], ["a", "r", "log_events"]);
  assert.ok([...s.origins.values()].every((o) => o === origin));
  assert.deepEqual([...s.reportDefinitions], [["r", "sha256:ab"]]);
  assert.deepEqual([...s.groupWatermarks.get("log_events")!], [["/g", 7]]);
  assert.deepEqual([...parseState({ a: { timestamp: 5, log_group_creation_time: 3 } }).creationTimes], [["a", 3]]);
  for (const bad of [-1, 1.5, "3"])
    assert.throws(() => parseState({ a: { timestamp: 5, log_group_creation_time: bad } }), {
      name: "ConfigError",
      message: `state for stream "a": log_group_creation_time must be the epoch milliseconds a read wrote there (got ${typeof bad === "number" ? bad : JSON.stringify(bad)}); restore it, or remove it to take the state as it is`,
    });
  // The single stream's entries say it too, while their watermark is before it (see GroupStates).
  const entries = parseState({
    log_events: { log_groups: { "/g": { timestamp: 5, log_group_creation_time: 9 }, "/h": { timestamp: 5 } } },
  });
  assert.deepEqual([...entries.groupCreationTimes.get("log_events")!], [["/g", 9]]);
  // Only a state of this version says that an entry without it was read past its group's creation.
  assert.deepEqual([...entries.groupStatesVersioned], []);
  const versioned = parseState({
    log_events: { version: 2, log_groups: { "/h": { timestamp: 5 }, "/i": { timestamp: 5, earlier_version: true } } },
  });
  assert.deepEqual([...versioned.groupStatesVersioned], ["log_events"]);
  assert.deepEqual([...versioned.groupEarlierEntries.get("log_events")!], ["/i"]);
  // One stream's state given alone: its keys are no stream names.
  for (const alone of [{ version: 2, log_groups: {} }, { timestamp: 5 }])
    assert.throws(() => parseState(alone), {
      name: "ConfigError",
      message:
        "state is one stream's state, not one per stream: give it under its stream's name, " +
        'like {"log_events": {"version": 2, "log_groups": {...}}} or {"/aws/lambda/orders": {"timestamp": 1700000000000}}',
    });
  assert.throws(
    () => parseState({ log_events: { log_groups: { "/g": { timestamp: 5, log_group_creation_time: "9" } } } }),
    {
      name: "ConfigError",
      message: `state for stream "log_events", log group "/g": log_group_creation_time must be the epoch milliseconds a read wrote there (got "9"); restore it, or remove it to take the state as it is`,
    },
  );
  for (const bad of [7, null, { region: "us-east-1" }, "", `${origin} `, "us-east-1"])
    assert.throws(() => parseState({ a: { timestamp: 5, origin: bad } }), {
      name: "ConfigError",
      message: `state for stream "a": origin must be the string a read wrote there, like "arn:aws:logs:us-east-1:123456789012" (got ${JSON.stringify(bad)}); restore it, or remove it to take the state as it is`,
    });
});

test("states not in the catalog: none, one named, many counted in one line", () => {
  const catalog = [{ name: "a" }];
  assert.equal(notInCatalog(parseState({ a: { timestamp: 1 } }), catalog), undefined);
  assert.equal(
    notInCatalog(parseState({ a: { timestamp: 1 }, log_events: { log_groups: {} } }), catalog),
    'State for stream "log_events" is not in the catalog; it is ignored.',
  );
  const names = ["b", "c", "d", "e", "f", "g"];
  assert.equal(
    notInCatalog(parseState(Object.fromEntries(names.map((n) => [n, { timestamp: 1 }]))), catalog),
    'State for 6 streams not in the catalog is ignored: "b", "c", "d", "e", "f" and 1 more.',
  );
  assert.equal(
    notInCatalog(parseState(Object.fromEntries(names.slice(0, 5).map((n) => [n, { timestamp: 1 }]))), catalog),
    'State for 5 streams not in the catalog is ignored: "b", "c", "d", "e", "f".',
  );
});
