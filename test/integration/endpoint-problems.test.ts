// Setups that retrying cannot fix are config errors that say what to fix, reported within seconds:
// no credentials anywhere, an https:// URL to a plain-HTTP port, a web server that is not
// CloudWatch Logs, an endpoint that accepts connections and never answers.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from "node:net";
import { join } from "node:path";
import { startSimulator, type Simulator } from "../../sim/index.js";
import { TEST_KEYS } from "../support/seed.js";
import { catalogFor, errors, runWith, statuses, tempDir, type RunResult } from "../support/connector.js";

const KEYS = { aws_access_key_id: TEST_KEYS.accessKeyId, aws_secret_access_key: TEST_KEYS.secretAccessKey };

function connectionStatus(r: RunResult) {
  const status = r.messages.find((m) => m.type === "CONNECTION_STATUS")?.connectionStatus;
  assert.ok(status, `check answered a CONNECTION_STATUS: ${r.stdout}${r.stderr}`);
  return status;
}

function listen<S extends HttpServer | TcpServer>(server: S): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const addr = server.address();
      resolve(typeof addr === "object" && addr ? addr.port : 0);
    }),
  );
}

/** An environment in which the default credential chain finds nothing at all. */
function noCredentialsEnv(): Record<string, string> {
  const home = tempDir();
  return {
    HOME: home,
    AWS_ACCESS_KEY_ID: "",
    AWS_SECRET_ACCESS_KEY: "",
    AWS_SESSION_TOKEN: "",
    AWS_PROFILE: "",
    AWS_SHARED_CREDENTIALS_FILE: join(home, "no-credentials"),
    AWS_CONFIG_FILE: join(home, "no-config"),
    AWS_WEB_IDENTITY_TOKEN_FILE: "",
    AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "",
    AWS_CONTAINER_CREDENTIALS_FULL_URI: "",
    AWS_EC2_METADATA_DISABLED: "true",
  };
}

describe("setups that retrying cannot fix", () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({
      scenario: {
        quotas: "none",
        logGroups: [{ name: "/setup/a", timeRange: { start: "now-2h", end: "now-1h" }, events: { count: 10 } }],
      },
    });
  });
  after(async () => sim.stop());

  test("no credentials anywhere: a config_error at once that says where credentials come from", {
    timeout: 120_000,
  }, async () => {
    const config = { region_name: "us-east-1", endpoint_url: sim.url };
    const c = await runWith("check", config, {}, noCredentialsEnv());
    const status = connectionStatus(c);
    assert.equal(status.status, "FAILED");
    assert.match(status.message!, /No usable AWS credentials.*aws_access_key_id/);
    const r = await runWith("read", config, { catalog: catalogFor(["/setup/a"]) }, noCredentialsEnv());
    assert.notEqual(r.code, 0);
    assert.equal(statuses(r.messages, "/setup/a").at(-1), "INCOMPLETE");
    assert.equal(errors(r.messages)[0]?.failure_type, "config_error");
    assert.match(errors(r.messages)[0]!.message, /No usable AWS credentials/);
    // Not retried as if temporary (that took 12.6 s of backoff): counted by the read's summary line,
    // not timed, so a loaded machine cannot fail it (check and read share the retry logic).
    assert.match(r.stderr, / requests, 0 throttled, 0 retried,/);
  });

  test("a profile that does not exist: a config_error", { timeout: 120_000 }, async () => {
    const env = { ...noCredentialsEnv(), AWS_PROFILE: "no-such-profile" };
    const c = await runWith("check", { region_name: "us-east-1", endpoint_url: sim.url }, {}, env);
    const status = connectionStatus(c);
    assert.equal(status.status, "FAILED");
    assert.match(status.message!, /No usable AWS credentials.*AWS_PROFILE/);
  });

  test("FIPS and dual-stack settings beside endpoint_url: the endpoint named is used as it is", {
    timeout: 120_000,
  }, async () => {
    const env = { AWS_USE_FIPS_ENDPOINT: "true", AWS_USE_DUALSTACK_ENDPOINT: "true" };
    const c = await runWith("check", { region_name: "us-east-1", ...KEYS, endpoint_url: sim.url }, {}, env);
    assert.equal(connectionStatus(c).status, "SUCCEEDED", c.stdout);
  });

  test("an endpoint the SDK cannot make (FIPS beside AWS_ENDPOINT_URL): a config_error at once, not retried", {
    timeout: 120_000,
  }, async () => {
    const env = { AWS_ENDPOINT_URL: sim.url, AWS_USE_FIPS_ENDPOINT: "true" };
    const config = { region_name: "us-east-1", ...KEYS };
    const c = await runWith("check", config, {}, env);
    const status = connectionStatus(c);
    assert.equal(status.status, "FAILED");
    assert.match(
      status.message!,
      /^The AWS SDK found no CloudWatch Logs endpoint for region us-east-1 while listing log groups: .*FIPS and custom endpoint are not supported\. Check region_name and the endpoint settings/,
    );
    // The variables named are CloudWatch Logs', not STS's (no role: STS is not called).
    assert.match(status.message!, /AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_CLOUDWATCH_LOGS\)/);
    assert.doesNotMatch(status.message!, /_STS/);
    const r = await runWith("read", config, { catalog: catalogFor(["/setup/a"]) }, env);
    assert.notEqual(r.code, 0);
    assert.equal(errors(r.messages)[0]?.failure_type, "config_error");
    assert.match(r.stderr, / requests, 0 throttled, 0 retried,/);
  });

  test("an https:// endpoint_url for a plain-HTTP server: a config_error that suggests http://", {
    timeout: 120_000,
  }, async () => {
    const started = Date.now();
    const c = await runWith("check", {
      region_name: "us-east-1",
      ...KEYS,
      endpoint_url: sim.url.replace(/^http:/, "https:"),
    });
    const status = connectionStatus(c);
    assert.equal(status.status, "FAILED");
    assert.match(status.message!, /endpoint_url must start with http:\/\//);
    assert.ok((Date.now() - started) / 1000 < 30);
  });
});

describe("endpoints that are not CloudWatch Logs", () => {
  let html: HttpServer;
  let htmlPort: number;
  let silent: TcpServer;
  let silentPort: number;
  let silentConnections = 0;
  const sockets = new Set<Socket>();
  before(async () => {
    html = createHttpServer((_req, res) => {
      res.writeHead(200, { "Content-Type": "text/html" });
      res.end("<!doctype html><html><head><title>Welcome to nginx!</title></head><body>hello</body></html>");
    });
    htmlPort = await listen(html);
    // Accepts connections, reads the request, never answers.
    silent = createTcpServer((s) => {
      silentConnections++;
      sockets.add(s);
      s.on("data", () => undefined);
      s.on("close", () => sockets.delete(s));
    });
    silentPort = await listen(silent);
  });
  after(async () => {
    html.closeAllConnections();
    await new Promise((r) => html.close(r));
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent.close(r));
  });

  test("a web server answering HTML pages: check FAILED and read config_error, naming endpoint_url", {
    timeout: 120_000,
  }, async () => {
    const config = { region_name: "us-east-1", ...KEYS, endpoint_url: `http://127.0.0.1:${htmlPort}` };
    const c = await runWith("check", config);
    const status = connectionStatus(c);
    assert.equal(status.status, "FAILED");
    assert.match(
      status.message!,
      /is not CloudWatch Logs: the endpoint answered with a HTML page \("Welcome to nginx!"\)/,
    );
    assert.match(status.message!, /Check endpoint_url/);
    const r = await runWith("read", config, { catalog: catalogFor(["/x"]) });
    assert.notEqual(r.code, 0);
    assert.equal(errors(r.messages)[0]?.failure_type, "config_error");
  });

  test("an endpoint that accepts connections and never answers: check fails within about two request timeouts", {
    timeout: 120_000,
  }, async () => {
    const timeout = 3;
    const started = Date.now();
    const c = await runWith("check", {
      region_name: "us-east-1",
      ...KEYS,
      endpoint_url: `http://127.0.0.1:${silentPort}`,
      request_timeout_seconds: timeout,
    });
    const seconds = (Date.now() - started) / 1000;
    const status = connectionStatus(c);
    assert.equal(status.status, "FAILED");
    assert.match(
      status.message!,
      /did not answer.*no answer within 3 s \(request_timeout_seconds\); gave up after 2 attempts\. /,
    );
    // Two attempts, counted where they arrive (eight with backoff would be over 24 s); each waited
    // its full timeout, which a slow machine can only lengthen.
    assert.equal(silentConnections, 2, "two attempts were made");
    assert.ok(seconds >= 2 * timeout, `each attempt waited its timeout (${seconds} s)`);
  });
});
