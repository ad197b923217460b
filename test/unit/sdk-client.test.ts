import { test } from "node:test";
import assert from "node:assert/strict";
import { RenewableSdkClient } from "../../src/aws/sdk-client.js";

test("requests that met one credential expiry together renew the client once", () => {
  let sessions = 0;
  const sdk = new RenewableSdkClient({
    region: "us-east-1",
    endpointUrl: "http://127.0.0.1:9",
    maxSockets: 2,
    makeCredentials: () => {
      sessions++;
      return { accessKeyId: `AKIA${sessions}`, secretAccessKey: "secret" };
    },
  });
  try {
    const first = sdk.client;
    const seen = sdk.generation;
    assert.equal(sessions, 1);
    assert.equal(sdk.renew(seen), true);
    assert.equal(sdk.renew(seen), false, "a second request sent on the old client does not renew again");
    assert.notEqual(sdk.client, first);
    assert.equal(sdk.generation, seen + 1);
    assert.equal(sessions, 2, "the new client asked for fresh credentials");
    assert.equal(sdk.renew(sdk.generation), true, "a later expiry renews again");
    assert.equal(sessions, 3);
  } finally {
    sdk.close();
  }
});
