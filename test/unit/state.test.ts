import { test } from "node:test";
import assert from "node:assert/strict";
import { parseState } from "../../src/protocol/state.js";
import { ConfigError } from "../../src/errors.js";

const stream = (name: string, ts: unknown) => ({ type: "STREAM", stream: { stream_descriptor: { name }, stream_state: { timestamp: ts } } });

test("every state form Airbyte uses is accepted", () => {
  assert.deepEqual([...parseState(undefined)], []);
  assert.deepEqual([...parseState([])], []);
  assert.deepEqual([...parseState({})], []);
  assert.deepEqual([...parseState([stream("a", 5), stream("b", 7)])], [["a", 5], ["b", 7]]);
  assert.deepEqual([...parseState(stream("a", 5))], [["a", 5]]);
  assert.deepEqual(
    [...parseState([{ type: "GLOBAL", global: { shared_state: {}, stream_states: [{ stream_descriptor: { name: "g" }, stream_state: { timestamp: 9 } }] } }])],
    [["g", 9]],
  );
  assert.deepEqual([...parseState([{ type: "LEGACY", data: { l: { timestamp: 3 } } }])], [["l", 3]]);
  assert.deepEqual([...parseState({ "/aws/lambda/x": { timestamp: 1700000000000 } })], [["/aws/lambda/x", 1700000000000]]);
  assert.deepEqual([...parseState([stream("s", "1700000000000")])], [["s", 1700000000000]], "numeric strings are accepted");
  assert.deepEqual([...parseState([{ type: "STREAM", stream: { stream_descriptor: { name: "e" }, stream_state: {} } }])], [], "an empty blob means no state");
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
    assert.throws(() => parseState(input), (err: unknown) => err instanceof ConfigError && pattern.test(err.message), JSON.stringify(input));
  }
});
