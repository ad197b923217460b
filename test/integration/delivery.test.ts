// Delivery options: raw-file transfer with file references, and parsed JSON messages.
import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ENDPOINT_KINDS, type Endpoint } from "../support/endpoints.js";
import { endpointConfig, putEvents, seedGroup } from "../support/seed.js";
import { catalogFor, lastStates, records, runWith, states, statuses, tempDir } from "../support/connector.js";
import { clockPast } from "../support/waits.js";

const DAY = 86_400_000;

for (const kind of ENDPOINT_KINDS) {
  describe(`delivery (${kind.name})`, () => {
    let ep: Endpoint;
    let config: Record<string, unknown>;
    before(async () => {
      ep = await kind.start();
      config = endpointConfig(ep.url);
    });
    after(async () => ep.stop());
    beforeEach(async () => ep.reset());

    test("file transfer stages one raw file per log stream and day, announced before the state that covers it", async () => {
      const today = Math.floor(Date.now() / DAY) * DAY;
      const yesterday = today - DAY;
      await seedGroup(ep.url, "/app/files", [
        { stream: "web", timestamp: yesterday + 1000, message: "y-web-1" },
        { stream: "web", timestamp: yesterday + 2000, message: "y-web-2\n  at line two" },
        { stream: "api/v1", timestamp: yesterday + 1500, message: "y-api-1" },
        { stream: "web", timestamp: today + 10, message: "t-web-1" },
      ]);
      const staging = tempDir();
      const cfg = { ...config, delivery_method: { delivery_type: "use_file_transfer" } };
      const discovered = await runWith("discover", cfg);
      const stream = discovered.messages.find((m) => m.type === "CATALOG")!.catalog!.streams[0]!;
      assert.equal(stream.is_file_based, true);
      assert.deepEqual(stream.source_defined_primary_key, [["file_relative_path"]]);

      const r = await runWith(
        "read",
        cfg,
        { catalog: catalogFor(["/app/files"]) },
        { AIRBYTE_STAGING_DIRECTORY: staging },
      );
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(statuses(r.messages, "/app/files"), ["STARTED", "RUNNING", "COMPLETE"]);
      const files = records(r.messages);
      assert.equal(files.length, 3, "web/yesterday, api/yesterday, web/today");
      const byPath = new Map(files.map((f) => [(f.data as { file_relative_path: string }).file_relative_path, f]));
      const day = (t: number) => new Date(t).toISOString().slice(0, 10);
      const webYesterday = [...byPath.keys()].find((p) => p.startsWith(`web/${day(yesterday)}/`))!;
      const apiYesterday = [...byPath.keys()].find((p) => p.startsWith(`api_v1/${day(yesterday)}/`))!;
      assert.ok(webYesterday && apiYesterday, [...byPath.keys()].join(", "));
      const ref = byPath.get(webYesterday)!.file_reference!;
      assert.equal(readFileSync(ref.staging_file_url!, "utf8"), "y-web-1\ny-web-2\n  at line two\n");
      assert.equal(ref.file_size_bytes, Buffer.byteLength("y-web-1\ny-web-2\n  at line two\n"));
      assert.equal(ref.source_file_relative_path, webYesterday);
      assert.equal((byPath.get(webYesterday)!.data as { event_count: number }).event_count, 2);
      assert.equal(readFileSync(byPath.get(apiYesterday)!.file_reference!.staging_file_url!, "utf8"), "y-api-1\n");
      // Every file record comes before the last state of the stream.
      const lines = r.messages.map((m) => m.type);
      assert.ok(lines.lastIndexOf("RECORD") < lines.lastIndexOf("STATE"));

      // The next sync stages today's later events in a file of its own: nothing repeated, nothing lost.
      const fresh = Date.now();
      await putEvents(ep.url, "/app/files", "web", [{ timestamp: fresh, message: "t-web-2" }]);
      await clockPast(fresh);
      const next = await runWith(
        "read",
        cfg,
        { catalog: catalogFor(["/app/files"]), state: lastStates(r.messages) },
        { AIRBYTE_STAGING_DIRECTORY: staging },
      );
      const nextFiles = records(next.messages);
      assert.equal(nextFiles.length, 1);
      assert.equal(readFileSync(nextFiles[0]!.file_reference!.staging_file_url!, "utf8"), "t-web-2\n");
      assert.notEqual(
        nextFiles[0]!.file_reference!.source_file_relative_path,
        [...byPath.keys()].find((p) => p.startsWith(`web/${day(today)}`)),
      );
      assert.equal(states(next.messages).length >= 1, true);
    });

    test("parse_json_messages adds message_json for JSON object messages and declares it", async () => {
      const t = Date.now() - 3_600_000;
      await seedGroup(ep.url, "/app/json", [
        { stream: "s", timestamp: t, message: '{"level":"ERROR","latency_ms":42,"user":{"id":7}}' },
        { stream: "s", timestamp: t + 1, message: "plain text" },
        { stream: "s", timestamp: t + 2, message: "[1,2,3]" },
        { stream: "s", timestamp: t + 3, message: "{not json" },
      ]);
      const cfg = { ...config, parse_json_messages: true };
      const d = await runWith("discover", cfg);
      const schema = d.messages.find((m) => m.type === "CATALOG")!.catalog!.streams[0]!.json_schema as {
        properties: Record<string, unknown>;
      };
      assert.ok(schema.properties.message_json);
      const r = await runWith("read", cfg, { catalog: catalogFor(["/app/json"]) });
      const parsed = records(r.messages).map((x) => (x.data as { message_json: unknown }).message_json);
      assert.deepEqual(parsed, [{ level: "ERROR", latency_ms: 42, user: { id: 7 } }, null, null, null]);
      const plain = await runWith("read", config, { catalog: catalogFor(["/app/json"]) });
      assert.ok(
        records(plain.messages).every((x) => !("message_json" in x.data)),
        "off by default",
      );
    });
  });
}
