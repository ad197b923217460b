import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isRegionEndpoint, isRegionEndpointUrl, RenewableSdkClient } from "../../src/aws/sdk-client.js";

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

test("only the region's own CloudWatch Logs hosts, over https on its port, are its default endpoint", () => {
  const own = [
    "logs.us-east-1.amazonaws.com",
    "logs-fips.us-east-1.amazonaws.com",
    "logs.us-east-1.api.aws",
    "vpce-0a1b2c-x1y2.logs.us-east-1.vpce.amazonaws.com",
  ];
  for (const host of own) assert.equal(isRegionEndpoint("us-east-1", "https:", host, undefined), true, host);
  assert.equal(isRegionEndpoint("cn-north-1", "https:", "logs.cn-north-1.amazonaws.com.cn", 443), true);
  const other: [string, string, unknown][] = [
    // Another service's AWS name in front of something else, another region, a proxy's port, http.
    ["https:", "ec2-54-1-2-3.compute-1.amazonaws.com", undefined],
    ["https:", "my-lb-123.us-east-1.elb.amazonaws.com", undefined],
    ["https:", "logs.eu-west-1.amazonaws.com", undefined],
    ["https:", "logs.us-east-1.amazonaws.com", 8443],
    ["http:", "logs.us-east-1.amazonaws.com", undefined],
    ["https:", "logs.us-east-1.amazonaws.com.evil.example", undefined],
  ];
  for (const [protocol, host, port] of other)
    assert.equal(isRegionEndpoint("us-east-1", protocol, host, port), false, `${protocol}//${host}:${String(port)}`);
  // As an endpoint_url: the region's own endpoint is no endpoint of its own (one source in a store).
  for (const url of ["https://logs.us-east-1.amazonaws.com", "https://logs.us-east-1.amazonaws.com:443/"])
    assert.equal(isRegionEndpointUrl("us-east-1", url), true, url);
  for (const url of [
    "https://logs.us-east-1.amazonaws.com/proxy",
    "http://logs.us-east-1.amazonaws.com",
    "http://127.0.0.1:4566",
  ])
    assert.equal(isRegionEndpointUrl("us-east-1", url), false, url);
});

test("the profile the config names is the SDK's profile for its settings (use_fips_endpoint), as AWS_PROFILE's would be", async () => {
  const dir = mkdtempSync(join(tmpdir(), "cwl-sdk-profile-"));
  const file = join(dir, "config");
  writeFileSync(file, "[profile fips]\nuse_fips_endpoint = true\n");
  const names = ["AWS_CONFIG_FILE", "AWS_PROFILE", "AWS_USE_FIPS_ENDPOINT"] as const;
  const saved = names.map((n) => process.env[n]);
  process.env.AWS_CONFIG_FILE = file;
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_USE_FIPS_ENDPOINT;
  const client = (profile?: string) =>
    new RenewableSdkClient({
      region: "us-east-1",
      maxSockets: 1,
      ...(profile !== undefined ? { profile } : {}),
      makeCredentials: () => ({ accessKeyId: "AKIAEXAMPLE", secretAccessKey: "secret" }),
    });
  const named = client("fips");
  const unnamed = client();
  try {
    assert.equal(await named.client.config.useFipsEndpoint(), true);
    assert.equal(await unnamed.client.config.useFipsEndpoint(), false, "the default profile says nothing");
  } finally {
    named.close();
    unnamed.close();
    names.forEach((n, i) => {
      if (saved[i] === undefined) delete process.env[n];
      else process.env[n] = saved[i];
    });
    rmSync(dir, { recursive: true, force: true });
  }
});
