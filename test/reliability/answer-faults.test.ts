// Answers that are HTTP 200 but not what the operation documents, as proxies, VPC endpoints and
// middleboxes produce them: an error body, `{}`, a cut body, garbage after the JSON, an HTML page,
// a body that stalls or is reset half way. Whatever the mix, every stream either ends COMPLETE
// with exactly its events or INCOMPLETE with an error; never COMPLETE with an event missing, and
// no run outlasts its bound.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { expectedEvents, startSimulator, type Simulator } from "../../sim/index.js";
import type { ScenarioFile } from "../../sim/scenario-file.js";
import { catalogFor, errors, records, runWith, statuses, type RunResult } from "../support/connector.js";
import { prng } from "../support/prng.js";
import { rewritingProxy } from "../support/rewriting-proxy.js";

const GROUPS = ["/answers/a", "/answers/b", "/answers/c"];
const KEYS = { aws_access_key_id: "AKIASIMANSWERS000001", aws_secret_access_key: "answers-secret-000000000000001" };

type AnswerFault =
  | "errorBodyRate"
  | "emptyBodyRate"
  | "truncatedBodyRate"
  | "garbageTailRate"
  | "htmlBodyRate"
  | "bodyStallRate"
  | "bodyResetRate";
const ANSWER_FAULTS: readonly AnswerFault[] = [
  "errorBodyRate",
  "emptyBodyRate",
  "truncatedBodyRate",
  "garbageTailRate",
  "htmlBodyRate",
  "bodyStallRate",
  "bodyResetRate",
];

function scenario(seed: number, faults: ScenarioFile["faults"], extra: Partial<ScenarioFile> = {}): ScenarioFile {
  return {
    ...extra,
    seed,
    quotas: "none",
    faults: { stallMs: 3000, ...faults },
    pages: { shortPageRate: 0.3 },
    logGroups: GROUPS.map((name, i) => ({
      name,
      creationTime: "now-2d",
      streams: { count: 3, namePattern: "s-{index}" },
      timeRange: { start: "now-30h", end: "now-1h" },
      events: { count: [5_000, 2_000, 30][i]! },
      message: { shape: "text", size: 4000 },
    })),
  };
}

/** Reads GROUPS from the endpoint at `url` (the simulator, or a proxy in front of it). */
async function read({ url }: { readonly url: string }, requestTimeoutSeconds = 1): Promise<RunResult> {
  return runWith(
    "read",
    {
      region_name: "us-east-1",
      ...KEYS,
      endpoint_url: url,
      request_timeout_seconds: requestTimeoutSeconds,
      max_requests_per_second: 500,
    },
    { catalog: catalogFor(GROUPS) },
  );
}

const key = (d: { logStreamName: string; eventId: string }) => `${d.logStreamName}|${d.eventId}`;

/** The property: COMPLETE means exactly the group's events; otherwise INCOMPLETE with an error. */
function assertNeverSilentlyWrong(sim: Simulator, r: RunResult, label: string): { complete: number } {
  let complete = 0;
  const expected = [...expectedEvents(sim.scenario, { withoutMessages: true })];
  for (const g of GROUPS) {
    const status = statuses(r.messages, g);
    const last = status[status.length - 1];
    if (last === "COMPLETE") {
      complete++;
      const got = records(r.messages, g).map((m) => key(m.data as { logStreamName: string; eventId: string }));
      const want = expected.filter((e) => e.logGroupName === g).map(key);
      assert.equal(got.length, new Set(got).size, `${label} ${g}: no duplicates within one run`);
      assert.deepEqual(got.sort(), want.sort(), `${label} ${g}: COMPLETE with exactly its events`);
    } else {
      assert.equal(last, "INCOMPLETE", `${label} ${g}: ends COMPLETE or INCOMPLETE (${status.join(",")})`);
      assert.ok(errors(r.messages).length > 0, `${label} ${g}: INCOMPLETE comes with an error trace`);
      assert.notEqual(r.code, 0, `${label}: an INCOMPLETE stream makes the exit code non-zero`);
    }
  }
  return { complete };
}

describe("answers that are not what the operation documents (simulator)", () => {
  test("seeded mixes of spoiled answers: every stream COMPLETE with exactly its events, or INCOMPLETE with an error", {
    timeout: 600_000,
  }, async () => {
    const rand = prng(2026_12_01);
    let completeStreams = 0;
    const faultsSeen: Record<string, number> = {};
    for (let run = 0; run < 5; run++) {
      // Each answer fault at 0-6%, a few classic ones beside them. A stalled body outlasts the
      // request timeout by far, so it is always cut off.
      const faults: NonNullable<ScenarioFile["faults"]> = { http503Rate: 0.02, resetRate: 0.01, stallMs: 30_000 };
      for (const f of ANSWER_FAULTS) faults[f] = Math.round(rand() * 60) / 1000;
      const sim = await startSimulator({ scenario: scenario(1000 + run, faults) });
      try {
        const started = Date.now();
        // Generous: a good answer must never time out on a loaded machine, or fewer streams
        // complete than the faults alone allow.
        const r = await read(sim, 5);
        const seconds = (Date.now() - started) / 1000;
        const label = `run ${run} (${JSON.stringify(faults)})`;
        completeStreams += assertNeverSilentlyWrong(sim, r, label).complete;
        // Bounded: at most 8 attempts per request with backoff and 5 s per stalled attempt, within
        // one retry budget (a run takes seconds here). Far above that on purpose: it catches an
        // unbounded run, not a slow machine; a hang would be the test's own timeout instead.
        assert.ok(seconds < 240, `${label} took ${seconds} s`);
        for (const [k, v] of Object.entries(sim.counters().faults)) faultsSeen[k] = (faultsSeen[k] ?? 0) + v;
      } finally {
        await sim.stop();
      }
    }
    console.error(
      `answer faults: ${JSON.stringify(faultsSeen)}, ${completeStreams} of ${5 * GROUPS.length} streams complete`,
    );
    for (const f of ["errorBody", "emptyBody", "truncatedBody", "garbageTail", "htmlBody", "bodyStall", "bodyReset"]) {
      assert.ok((faultsSeen[f] ?? 0) > 0, `the fault ${f} really happened`);
    }
    // Retries absorb faults at these rates: most streams complete.
    assert.ok(completeStreams >= 10, `${completeStreams} streams complete`);
  });

  for (const fault of [
    "errorBodyRate",
    "emptyBodyRate",
    "truncatedBodyRate",
    "garbageTailRate",
    "bodyResetRate",
    "bodyStallRate",
  ] as const) {
    test(`every FilterLogEvents answer spoiled (${fault}): INCOMPLETE with a transient_error, never COMPLETE`, {
      timeout: 300_000,
    }, async () => {
      const sim = await startSimulator({
        scenario: scenario(7, { [fault]: 1, stallMs: 5000, operations: ["FilterLogEvents"] }),
      });
      try {
        const r = await read(sim);
        for (const g of GROUPS) {
          assert.ok(!statuses(r.messages, g).includes("COMPLETE"), `${g} is not COMPLETE`);
          assert.equal(statuses(r.messages, g).at(-1), "INCOMPLETE", g);
        }
        assert.equal(records(r.messages).length, 0);
        const errs = errors(r.messages);
        assert.ok(errs.length >= GROUPS.length, "an error per stream");
        for (const e of errs) assert.equal(e.failure_type, "transient_error", e.message);
        assert.notEqual(r.code, 0);
      } finally {
        await sim.stop();
      }
    });
  }

  test("STS answers without credentials, cut or in another format: retried, then exact; always spoiled: a transient_error", {
    timeout: 300_000,
  }, async () => {
    const role = { role_arn: "arn:aws:iam::123456789012:role/cloudwatch-reader", session_duration: 900 };
    const flaky = await startSimulator({
      // Sessions die after 2 s, so the role is assumed again through the faults. With seed 20 the
      // first AssumeRole answer is an error body, the second `{}`-like (no credentials), the third
      // good: AssumeRole has its own draws, whatever the Logs requests do.
      scenario: scenario(
        20,
        { emptyBodyRate: 0.2, truncatedBodyRate: 0.1, errorBodyRate: 0.1, operations: ["AssumeRole"] },
        { sts: { actualLifetimeSeconds: 2 }, latency: { fixedMs: 100 } },
      ),
    });
    try {
      const r = await runWith(
        "read",
        // Paced so the sync outlives a session on any machine (about 40 pages at 10/s: over 3.5 s);
        // with 2 requests in flight a request retried on a new session is sent within about 0.3 s
        // of it, far inside its 2 s life even on a loaded machine.
        {
          region_name: "us-east-1",
          ...KEYS,
          ...role,
          endpoint_url: flaky.url,
          max_requests_per_second: 10,
          max_concurrency: 2,
        },
        { catalog: catalogFor(GROUPS) },
      );
      assertNeverSilentlyWrong(flaky, r, "flaky STS");
      assert.equal(r.code, 0, JSON.stringify(errors(r.messages)));
      const c = flaky.counters();
      assert.ok(
        c.faults.errorBody >= 1 && c.faults.emptyBody >= 1,
        `STS answers were spoiled: ${JSON.stringify(c.faults)}`,
      );
      assert.ok(c.expiredCredentials > 0, "a session died mid-sync and the role was assumed again");
    } finally {
      await flaky.stop();
    }
    for (const spoil of ["emptyBody", "truncatedBody"] as const) {
      const broken = await startSimulator({
        scenario: scenario(11, { [`${spoil}Rate`]: 1, operations: ["AssumeRole"] }),
      });
      try {
        const r = await runWith(
          "read",
          { region_name: "us-east-1", ...KEYS, ...role, endpoint_url: broken.url },
          { catalog: catalogFor(GROUPS) },
        );
        for (const g of GROUPS) assert.equal(statuses(r.messages, g).at(-1), "INCOMPLETE", `${spoil} ${g}`);
        assert.equal(records(r.messages).length, 0);
        assert.ok(errors(r.messages).length > 0, spoil);
        for (const e of errors(r.messages)) {
          assert.equal(e.failure_type, "transient_error", `${spoil}: ${e.message}`);
          // Said of the STS call that failed, not of the Logs call it held up.
          assert.match(e.message, /^sts:AssumeRole kept getting answers that are not STS answers while/, spoil);
        }
        assert.ok(broken.counters().faults[spoil] > 1, `${spoil}: STS was asked again`);
      } finally {
        await broken.stop();
      }
    }
  });

  test("a DescribeLogGroups answer of {} is not an empty account", { timeout: 300_000 }, async () => {
    const sim = await startSimulator({
      scenario: scenario(8, { emptyBodyRate: 1, operations: ["DescribeLogGroups"] }),
    });
    try {
      const r = await runWith("discover", { region_name: "us-east-1", ...KEYS, endpoint_url: sim.url });
      assert.notEqual(r.code, 0, "discover does not answer an empty catalog");
      assert.equal(r.messages.filter((m) => m.type === "CATALOG").length, 0);
      assert.equal(errors(r.messages)[0]?.failure_type, "transient_error");
      assert.match(errors(r.messages)[0]!.message, /DescribeLogGroups/);
    } finally {
      await sim.stop();
    }
  });

  test("an endpoint that answers HTML pages is a config_error naming endpoint_url", { timeout: 300_000 }, async () => {
    const sim = await startSimulator({ scenario: scenario(9, { htmlBodyRate: 1 }) });
    try {
      const r = await read(sim);
      for (const g of GROUPS) assert.equal(statuses(r.messages, g).at(-1), "INCOMPLETE");
      const errs = errors(r.messages);
      assert.ok(errs.length > 0);
      for (const e of errs) {
        assert.equal(e.failure_type, "config_error");
        assert.match(e.message, /is not CloudWatch Logs.*endpoint_url/);
      }
    } finally {
      await sim.stop();
    }
  });
});

describe("pages of shapes the simulator does not make (through a rewriting proxy)", () => {
  /** Reads the three groups through a proxy that rewrites /answers/a's FilterLogEvents pages. */
  async function readRewritten(
    rewrite: (answer: Record<string, unknown>, asked: Record<string, unknown>) => Record<string, unknown>,
  ) {
    const sim = await startSimulator({ scenario: scenario(11, {}) });
    const proxy = await rewritingProxy(sim.url, (answer, asked) =>
      asked.logGroupName === GROUPS[0] ? rewrite(answer, asked) : answer,
    );
    try {
      const r = await read(proxy);
      assertNeverSilentlyWrong(sim, r, "rewritten");
      assert.equal(statuses(r.messages, GROUPS[0]!).at(-1), "INCOMPLETE");
      for (const g of GROUPS.slice(1)) assert.equal(statuses(r.messages, g).at(-1), "COMPLETE", g);
      const errs = errors(r.messages).filter((e) => e.stream_descriptor?.name === GROUPS[0]);
      assert.ok(errs.length > 0, "an error for the stream");
      for (const e of errs) assert.equal(e.failure_type, "transient_error", e.message);
      return errs.map((e) => e.message).join("\n");
    } finally {
      await proxy.close();
      await sim.stop();
    }
  }

  test('a nextToken of "" (AWS\'s have a character at least) is a wrong answer, not the last page', {
    timeout: 300_000,
  }, async () => {
    // Taken as the end, it ended each window after its first page: COMPLETE with events missing.
    const messages = await readRewritten((answer) =>
      typeof answer.nextToken === "string" ? { ...answer, nextToken: "" } : answer,
    );
    assert.match(messages, /empty nextToken/);
  });

  test("empty pages that hand back the nextToken they were sent, without end: the window fails, no hang", {
    timeout: 300_000,
  }, async () => {
    const messages = await readRewritten((answer, asked) =>
      typeof asked.nextToken === "string" ? { events: [], nextToken: asked.nextToken } : answer,
    );
    assert.match(
      messages,
      /1000 empty pages in a row with a nextToken it had been sent before, for log group \/answers\/a/,
    );
  });

  test("empty pages whose nextTokens go round in a cycle (A, B, A, B): the window fails, no hang", {
    timeout: 300_000,
  }, async () => {
    const messages = await readRewritten((answer, asked) => {
      const token = asked.nextToken;
      if (typeof token !== "string") return answer;
      return { events: [], nextToken: token.endsWith("~") ? token.slice(0, -1) : `${token}~` };
    });
    assert.match(
      messages,
      /1000 empty pages in a row with a nextToken it had been sent before, for log group \/answers\/a/,
    );
  });
});
