// Scenario 8's bytes by column: small segments share a block, so each column counts its share, and
// the columns never add up to more than the file's used blocks.
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { describe, it } from "node:test";
import { columnSizes } from "../../bench/sync-throughput.js";
import { DuckDbStore } from "../../src/local/duckdb-store.js";
import { RecordBatch } from "../../src/local/record-batch.js";
import { tempDir } from "../support/connector.js";

const STREAM = "/app/api";
const T = 1_764_000_000_000;

describe("benchmark: bytes by column", () => {
  it("counts a shared block's segments once between them: the columns fit in the used blocks", async () => {
    const database = join(tempDir(), "sizes.duckdb");
    const store = await DuckDbStore.open(database, [STREAM], {
      account: "1",
      region: "us-east-1",
      endpoint: undefined,
    });
    const texts = Array.from({ length: 5000 }, (_, i) =>
      JSON.stringify({
        logGroupName: STREAM,
        logStreamName: `s-${i % 3}`,
        timestamp: T + i,
        ingestionTime: T + i + 5,
        message: `event ${i} of a test`,
        eventId: String(i).padStart(56, "0"),
      }),
    );
    try {
      await store.commit(STREAM, RecordBatch.ofData(STREAM, texts), { timestamp: T + 5000 });
    } finally {
      await store.close();
    }
    const { columns, fileUsed } = await columnSizes(database, STREAM);
    const names = columns.map((c) => c.column).sort();
    assert.deepEqual(names, [
      "eventId",
      "ingestionTime",
      "logGroupName",
      "logStreamName",
      "message",
      "message_json",
      "timestamp",
    ]);
    for (const c of columns) assert.ok(c.bytes > 0, `${c.column} takes some bytes`);
    const sum = columns.reduce((t, c) => t + c.bytes, 0);
    assert.ok(sum <= fileUsed, `the columns' ${sum} bytes fit in the ${fileUsed} bytes of used blocks`);
  });
});
