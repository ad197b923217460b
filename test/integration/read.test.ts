// read against real AWS-compatible endpoints, through the built connector and the real SDK.
import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { ENDPOINT_KINDS, type Endpoint } from "../support/endpoints.js";
import { endpointConfig, logsClient, putEvents, seedGroup, spreadEvents } from "../support/seed.js";
import { DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { catalogFor, errors, eventKey, lastStates, records, runWith, states, statuses } from "../support/connector.js";
import { clockPast } from "../support/waits.js";
import type { AirbyteMessage } from "../../src/airbyte/protocol.js";

const HOUR = 3_600_000;

for (const kind of ENDPOINT_KINDS) {
  describe(`read (${kind.name})`, () => {
    let ep: Endpoint;
    let config: Record<string, unknown>;
    before(async () => {
      ep = await kind.start();
      config = endpointConfig(ep.url);
    });
    after(async () => ep.stop());
    beforeEach(async () => ep.reset());

    test("full refresh delivers exactly the group's events, with the documented fields and stream statuses", async () => {
      const now = Date.now();
      const seeded = spreadEvents(120, now - 5 * HOUR, 4 * HOUR, ["s1", "s2", "s3"], "full");
      await seedGroup(ep.url, "/app/full", seeded);
      await seedGroup(ep.url, "/app/other", spreadEvents(7, now - 2 * HOUR, HOUR, ["o"], "other"));
      const r = await runWith("read", config, { catalog: catalogFor(["/app/full", "/app/other"], "full_refresh") });
      assert.equal(r.code, 0, r.stderr);
      const got = records(r.messages, "/app/full");
      assert.deepEqual(
        got
          .map(
            (x) =>
              `${(x.data as { logStreamName: string }).logStreamName}|${(x.data as { timestamp: number }).timestamp}|${(x.data as { message: string }).message}`,
          )
          .sort(),
        seeded.map((e) => `${e.stream}|${e.timestamp}|${e.message}`).sort(),
      );
      assert.equal(new Set(got.map(eventKey)).size, got.length, "primary keys are unique");
      for (const rec of got) {
        assert.deepEqual(Object.keys(rec.data).sort(), [
          "eventId",
          "ingestionTime",
          "logGroupName",
          "logStreamName",
          "message",
          "timestamp",
        ]);
        assert.equal((rec.data as { logGroupName: string }).logGroupName, "/app/full");
      }
      assert.equal(records(r.messages, "/app/other").length, 7);
      assert.deepEqual(statuses(r.messages, "/app/full"), ["STARTED", "RUNNING", "COMPLETE"]);
      const fullStates = states(r.messages, "/app/full");
      assert.ok(fullStates.length >= 1);
      assert.equal(
        fullStates.reduce((n, s) => n + (s.sourceStats?.recordCount ?? 0), 0),
        120,
        "recordCount adds up",
      );
      // A second full refresh gives the same records.
      const again = await runWith("read", config, {
        catalog: catalogFor(["/app/full"], "full_refresh"),
        state: lastStates(r.messages),
      });
      assert.deepEqual(records(again.messages).map(eventKey).sort(), got.map(eventKey).sort());
    });

    test("incremental: nothing new on the second read, exactly the later events on the third", async () => {
      const now = Date.now();
      await seedGroup(ep.url, "/app/inc", spreadEvents(60, now - 3 * HOUR, 2 * HOUR, ["a", "b"], "first"));
      const first = await runWith("read", config, { catalog: catalogFor(["/app/inc"]) });
      assert.equal(first.code, 0, first.stderr);
      assert.equal(records(first.messages).length, 60);
      const second = await runWith("read", config, {
        catalog: catalogFor(["/app/inc"]),
        state: lastStates(first.messages),
      });
      assert.equal(records(second.messages).length, 0);
      assert.equal(states(second.messages).length, 1, "a stream without records still gets its state");
      const later = Date.now();
      await putEvents(ep.url, "/app/inc", "a", [
        { timestamp: later, message: "late-1" },
        { timestamp: later + 1, message: "late-2" },
      ]);
      await putEvents(ep.url, "/app/inc", "c", [{ timestamp: later, message: "late-3" }], true);
      // The read must reach past the new events: wait until the clock passed them.
      await clockPast(later + 1);
      const third = await runWith("read", config, {
        catalog: catalogFor(["/app/inc"]),
        state: lastStates(second.messages),
      });
      assert.deepEqual(
        records(third.messages)
          .map((x) => (x.data as { message: string }).message)
          .sort(),
        ["late-1", "late-2", "late-3"],
      );
    });

    test("events sharing the boundary millisecond are neither lost nor repeated", async () => {
      const now = Date.now();
      await seedGroup(ep.url, "/app/edge", spreadEvents(10, now - 2 * HOUR, HOUR, ["x", "y"], "early"));
      const first = await runWith("read", config, { catalog: catalogFor(["/app/edge"]) });
      const boundary = (lastStates(first.messages)[0]!.stream!.stream_state as { timestamp: number }).timestamp;
      // Events stamped exactly at the watermark, in two log streams, and one just before it.
      await putEvents(ep.url, "/app/edge", "x", [
        { timestamp: boundary, message: "b1" },
        { timestamp: boundary, message: "b2" },
      ]);
      await putEvents(ep.url, "/app/edge", "y", [{ timestamp: boundary, message: "b3" }]);
      await clockPast(boundary);
      const second = await runWith("read", config, {
        catalog: catalogFor(["/app/edge"]),
        state: lastStates(first.messages),
      });
      assert.deepEqual(
        records(second.messages)
          .map((x) => (x.data as { message: string }).message)
          .sort(),
        ["b1", "b2", "b3"],
      );
      const third = await runWith("read", config, {
        catalog: catalogFor(["/app/edge"]),
        state: lastStates(second.messages),
      });
      assert.equal(records(third.messages).length, 0);
      const all = [...records(first.messages), ...records(second.messages)];
      assert.equal(new Set(all.map(eventKey)).size, 13);
    });

    test("a state at an event's millisecond re-reads that millisecond (Python connector states resume safely)", async () => {
      const t = Date.now() - HOUR;
      await seedGroup(ep.url, "/app/compat", [
        { stream: "s", timestamp: t - 1, message: "before" },
        { stream: "s", timestamp: t, message: "at-1" },
        { stream: "t", timestamp: t, message: "at-2" },
        { stream: "s", timestamp: t + 1, message: "after" },
      ]);
      const r = await runWith("read", config, {
        catalog: catalogFor(["/app/compat"]),
        state: { "/app/compat": { timestamp: t } },
      });
      assert.deepEqual(
        records(r.messages)
          .map((x) => (x.data as { message: string }).message)
          .sort(),
        ["after", "at-1", "at-2"],
      );
    });

    test("a far-future state returns no records and one state per stream, kept as it is (with a WARN)", async () => {
      await seedGroup(ep.url, "/app/f1", spreadEvents(5, Date.now() - HOUR, 1000, ["s"]));
      await seedGroup(ep.url, "/app/f2", spreadEvents(5, Date.now() - HOUR, 1000, ["s"]));
      const future = Date.now() + 365 * 24 * HOUR;
      const state = ["/app/f1", "/app/f2"].map((name) => ({
        type: "STREAM",
        stream: { stream_descriptor: { name }, stream_state: { timestamp: future } },
      }));
      const r = await runWith("read", config, { catalog: catalogFor(["/app/f1", "/app/f2"]), state });
      assert.equal(r.code, 0);
      assert.equal(records(r.messages).length, 0);
      for (const name of ["/app/f1", "/app/f2"]) {
        const s = states(r.messages, name);
        assert.equal(s.length, 1);
        // Counted as now and written back so, it would mark every event until now delivered for
        // good; kept, correcting it later loses nothing.
        assert.equal((s[0]!.stream!.stream_state as { timestamp: number }).timestamp, future);
        assert.ok(
          r.messages.some(
            (m) =>
              m.log?.level === "WARN" &&
              m.log.message.startsWith(`The state of stream ${JSON.stringify(name)}`) &&
              m.log.message.includes("is more than a day after this machine's clock"),
          ),
        );
        assert.equal(statuses(r.messages, name).at(-1), "COMPLETE");
      }
    });

    test("start_date limits the oldest events read", async () => {
      const now = Date.now();
      const cut = Math.floor((now - 2 * HOUR) / 1000) * 1000;
      await seedGroup(ep.url, "/app/start", [
        { stream: "s", timestamp: cut - 1, message: "old" },
        { stream: "s", timestamp: cut, message: "at" },
        { stream: "s", timestamp: cut + HOUR, message: "new" },
      ]);
      const startDate = new Date(cut).toISOString().replace(".000Z", "Z");
      const r = await runWith(
        "read",
        { ...config, start_date: startDate },
        { catalog: catalogFor(["/app/start"], "full_refresh") },
      );
      assert.deepEqual(
        records(r.messages)
          .map((x) => (x.data as { message: string }).message)
          .sort(),
        ["at", "new"],
      );
    });

    test("ingestion_delay_seconds leaves the youngest events for the next sync", async () => {
      const now = Date.now();
      await seedGroup(ep.url, "/app/delay", [
        { stream: "s", timestamp: now - 2 * HOUR, message: "settled" },
        { stream: "s", timestamp: now - 60_000, message: "young" },
      ]);
      const r = await runWith(
        "read",
        { ...config, ingestion_delay_seconds: 600 },
        { catalog: catalogFor(["/app/delay"]) },
      );
      assert.deepEqual(
        records(r.messages).map((x) => (x.data as { message: string }).message),
        ["settled"],
      );
      const wm = (lastStates(r.messages)[0]!.stream!.stream_state as { timestamp: number }).timestamp;
      assert.ok(wm <= Date.now() - 600_000 && wm > now - 60_000 - 600_000 - 5_000, "watermark is now minus the delay");
      const next = await runWith("read", config, {
        catalog: catalogFor(["/app/delay"]),
        state: lastStates(r.messages),
      });
      assert.deepEqual(
        records(next.messages).map((x) => (x.data as { message: string }).message),
        ["young"],
      );
    });

    test("custom reports pass log stream names and the filter pattern through", async () => {
      const now = Date.now();
      await seedGroup(ep.url, "/app/rep", [
        { stream: "web", timestamp: now - 3 * HOUR, message: "GET /index ERROR timeout" },
        { stream: "web", timestamp: now - 3 * HOUR + 1, message: "GET /index ok" },
        { stream: "worker", timestamp: now - 3 * HOUR + 2, message: "job ERROR failed" },
        { stream: "cron", timestamp: now - 3 * HOUR + 3, message: "cron ERROR skipped" },
      ]);
      const reports = [
        {
          name: "web_and_worker_errors",
          log_group_name: "/app/rep",
          log_stream_names: ["web", "worker"],
          filter_pattern: "ERROR",
        },
        { name: "phrase", log_group_name: "/app/rep", filter_pattern: '"ERROR skipped"' },
      ];
      const r = await runWith(
        "read",
        { ...config, custom_log_reports: reports },
        { catalog: catalogFor(["web_and_worker_errors", "phrase", "/app/rep"]) },
      );
      assert.equal(r.code, 0, JSON.stringify(errors(r.messages)));
      const msgs = (stream: string) =>
        records(r.messages, stream)
          .map((x) => (x.data as { message: string }).message)
          .sort();
      assert.deepEqual(msgs("web_and_worker_errors"), ["GET /index ERROR timeout", "job ERROR failed"]);
      assert.deepEqual(msgs("phrase"), ["cron ERROR skipped"]);
      assert.equal(msgs("/app/rep").length, 4);
      assert.equal(states(r.messages, "phrase").length, 1, "reports keep their own state");
    });

    test("a custom report changed under the same name is read again from its start, with a WARN; unchanged, it continues", async () => {
      const now = Date.now();
      await seedGroup(ep.url, "/app/rep", [
        { stream: "web", timestamp: now - 3 * HOUR, message: "GET /index ERROR timeout" },
        { stream: "web", timestamp: now - 3 * HOUR + 1, message: "GET /index ok" },
        { stream: "worker", timestamp: now - 3 * HOUR + 2, message: "job ERROR failed" },
      ]);
      const report = { name: "rep", log_group_name: "/app/rep", log_stream_names: ["web", "worker"] };
      const readWith = (definition: Record<string, unknown>, state?: unknown) =>
        runWith(
          "read",
          { ...config, custom_log_reports: [definition] },
          { catalog: catalogFor(["rep"]), ...(state === undefined ? {} : { state }) },
        );
      const messages = (r: { messages: AirbyteMessage[] }) =>
        records(r.messages, "rep")
          .map((x) => (x.data as { message: string }).message)
          .sort();
      const changed = (r: { messages: AirbyteMessage[] }) =>
        r.messages.filter(
          (m) => m.type === "LOG" && /selects other events than when its state was saved/.test(m.log!.message),
        );
      const first = await readWith({ ...report, filter_pattern: "ERROR" });
      assert.deepEqual(messages(first), ["GET /index ERROR timeout", "job ERROR failed"]);
      const saved = lastStates(first.messages);
      assert.match(
        String((saved[0]!.stream!.stream_state as { report_definition?: unknown }).report_definition),
        /^sha256:[0-9a-f]{16}$/,
      );
      // The same definition, its log streams in another order: the state holds.
      const same = await readWith({ ...report, log_stream_names: ["worker", "web"], filter_pattern: "ERROR" }, saved);
      assert.equal(same.code, 0, same.stderr);
      assert.deepEqual(messages(same), []);
      assert.deepEqual(changed(same), []);
      // The group named by its ARN (AWS's form, with ":*"): the same group, the state holds.
      const described = await logsClient(ep.url).send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/app/rep" }));
      const byArn = await readWith(
        { ...report, log_group_name: described.logGroups![0]!.arn!, filter_pattern: "ERROR" },
        saved,
      );
      assert.equal(byArn.code, 0, byArn.stderr);
      assert.deepEqual(messages(byArn), []);
      assert.deepEqual(changed(byArn), []);
      // The filter widened: the state does not cover the events it now selects.
      const widened = await readWith(report, saved);
      assert.equal(widened.code, 0, widened.stderr);
      assert.deepEqual(messages(widened), ["GET /index ERROR timeout", "GET /index ok", "job ERROR failed"]);
      assert.equal(changed(widened).length, 1, JSON.stringify(changed(widened)));
      assert.equal(changed(widened)[0]!.log!.level, "WARN");
      // A state an earlier version saved (no definition) is taken as it is.
      const earlier = saved.map((m) => ({
        ...m,
        stream: {
          ...m.stream!,
          stream_state: { timestamp: (m.stream!.stream_state as { timestamp: number }).timestamp },
        },
      }));
      const old = await readWith(report, earlier);
      assert.deepEqual(messages(old), []);
      assert.deepEqual(changed(old), []);
    });

    test("a dense group is split into windows: every event once, even with many events per millisecond at window edges", async () => {
      const now = Date.now();
      // 30,000 events, 6 per millisecond, so every window edge cuts through a crowded millisecond.
      const seeded = Array.from({ length: 30_000 }, (_, i) => ({
        stream: `s${i % 3}`,
        timestamp: now - 2 * HOUR + Math.floor(i / 6),
        message: `dense ${i}`,
      }));
      await seedGroup(ep.url, "/app/dense", seeded);
      // Concurrent windows, then one at a time: with several in flight, the earliest may finish
      // last (the endpoint's timing decides), and then one STATE covers the whole group.
      for (const maxConcurrency of [undefined, 1]) {
        const r = await runWith(
          "read",
          { ...config, ...(maxConcurrency && { max_concurrency: maxConcurrency }) },
          {
            catalog: catalogFor(["/app/dense"]),
          },
        );
        assert.equal(r.code, 0, r.stderr);
        const got = records(r.messages);
        assert.equal(new Set(got.map(eventKey)).size, got.length, "no event twice");
        assert.deepEqual(
          got.map((x) => (x.data as { message: string }).message).sort(),
          seeded.map((e) => e.message).sort(),
        );
        const wms = states(r.messages).map((s) => (s.stream!.stream_state as { timestamp: number }).timestamp);
        if (maxConcurrency === 1)
          assert.ok(wms.length > 1, `dense data is checkpointed more than once (${wms.length})`);
        for (let i = 1; i < wms.length; i++) assert.ok(wms[i]! >= wms[i - 1]!);
      }
    });

    test("a failing stream is INCOMPLETE with a config error; the others still run; exit code is non-zero", async () => {
      await seedGroup(ep.url, "/app/ok", spreadEvents(3, Date.now() - HOUR, 1000, ["s"]));
      const r = await runWith("read", config, { catalog: catalogFor(["/app/missing", "/app/ok"]) });
      assert.notEqual(r.code, 0);
      assert.deepEqual(statuses(r.messages, "/app/missing"), ["STARTED", "INCOMPLETE"]);
      const errs = errors(r.messages);
      assert.equal(errs.length, 1);
      assert.equal(errs[0]!.failure_type, "config_error");
      assert.equal(errs[0]!.stream_descriptor?.name, "/app/missing");
      assert.match(
        errs[0]!.message,
        /"\/app\/missing" is in the catalog but is neither a custom report nor a log group/,
      );
      assert.deepEqual(statuses(r.messages, "/app/ok"), ["STARTED", "RUNNING", "COMPLETE"]);
      assert.equal(records(r.messages, "/app/ok").length, 3);
    });
  });
}
