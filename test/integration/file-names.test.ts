// Raw files of log groups and log streams whose names would read the same as folder names
// ("/k/a/b" and "/k/a_b"; "app/1" and "app_1"; "." and ".."; long names sharing their start):
// each log stream's day gets a file of its own, with exactly its events, at the same path on
// every run (a crash re-writes the same files).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join, resolve, sep } from "node:path";
import { ENDPOINT_KINDS, type Endpoint } from "../support/endpoints.js";
import { endpointConfig, seedGroup } from "../support/seed.js";
import { catalogFor, records, runWith, tempDir } from "../support/connector.js";

const DAY = 86_400_000;
const GROUPS = ["/k/a/b", "/k/a_b"];
const LOG_STREAMS = ["app/1", "app_1", "app%2F1", ".", "..", "_", `${"x".repeat(300)}1`, `${"x".repeat(300)}2`];

interface FileData {
  readonly file_relative_path: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  readonly event_count: number;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)],
  );
}

for (const kind of ENDPOINT_KINDS) {
  describe(`raw file names (${kind.name})`, () => {
    let ep: Endpoint;
    const expected = new Map<string, string>();
    before(async () => {
      ep = await kind.start();
      const yesterday = Math.floor(Date.now() / DAY) * DAY - DAY;
      for (const [g, group] of GROUPS.entries()) {
        const events = LOG_STREAMS.flatMap((stream, s) =>
          [0, 1, 2].map((i) => ({
            stream,
            timestamp: yesterday + 3_600_000 + g * 1000 + s * 10 + i,
            message: `${group} ${stream} ${i}`,
          })),
        );
        await seedGroup(ep.url, group, events);
        for (const stream of LOG_STREAMS)
          expected.set(`${group}\u0000${stream}`, [0, 1, 2].map((i) => `${group} ${stream} ${i}\n`).join(""));
      }
    });
    after(async () => ep.stop());

    test("every log stream of every group has its own file with exactly its events, at the same path on a re-run", async () => {
      const config = endpointConfig(ep.url, {
        delivery_method: { delivery_type: "use_file_transfer" },
      });
      const staging = tempDir();
      const run = async () => {
        const r = await runWith(
          "read",
          config,
          { catalog: catalogFor(GROUPS, "full_refresh") },
          { AIRBYTE_STAGING_DIRECTORY: staging },
        );
        assert.equal(r.code, 0, r.stderr);
        return records(r.messages);
      };
      const files = await run();
      assert.equal(files.length, GROUPS.length * LOG_STREAMS.length, "one file per group and log stream");
      const urls = files.map((f) => f.file_reference!.staging_file_url!);
      assert.equal(new Set(urls).size, urls.length, "no two files share a path");
      for (const group of GROUPS) {
        const paths = files
          .filter((f) => f.stream === group)
          .map((f) => (f.data as unknown as FileData).file_relative_path);
        assert.equal(new Set(paths).size, paths.length, `${group}: file_relative_path is unique`);
      }
      for (const f of files) {
        const data = f.data as unknown as FileData;
        assert.equal(data.logGroupName, f.stream);
        assert.equal(
          readFileSync(f.file_reference!.staging_file_url!, "utf8"),
          expected.get(`${data.logGroupName}\u0000${data.logStreamName}`),
          data.file_relative_path,
        );
        assert.equal(data.event_count, 3);
        assert.ok(
          resolve(f.file_reference!.staging_file_url!).startsWith(resolve(staging) + sep),
          "inside the staging directory",
        );
      }
      assert.deepEqual(
        filesUnder(staging).sort(),
        [...urls].map((u) => resolve(u)).sort(),
        "no file outside the announced ones",
      );

      const again = await run();
      const paths = (list: typeof files) =>
        list.map((f) => `${f.stream} ${(f.data as unknown as FileData).file_relative_path}`).sort();
      assert.deepEqual(paths(again), paths(files), "a re-run of the same range writes the same paths");
    });
  });
}
