// IAM enforced by moto: denied actions, wrong keys, session tokens and role assumption with an external id.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  IAMClient,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from "@aws-sdk/client-iam";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { startMoto, type Moto } from "../support/moto.js";
import { TEST_REGION, seedGroup, spreadEvents } from "../support/seed.js";
import { catalogFor, errors, records, registerSecrets, runWith, statuses } from "../support/connector.js";

const EXTERNAL_ID = "ext-7f3a9c-secret-external-id";

interface Keys {
  readonly id: string;
  readonly secret: string;
}

describe("IAM enforcement (moto auth mode)", () => {
  let moto: Moto;
  let listOnly: Keys;
  let noList: Keys;
  let assumer: Keys;
  let roleArn: string;
  let base: Record<string, unknown>;

  const policy = (actions: string[]) =>
    JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: actions, Resource: "*" }] });

  before(async () => {
    moto = await startMoto();
    await seedGroup(moto.url, "/app/secure", spreadEvents(12, Date.now() - 3_600_000, 60_000, ["s"]));
    const iam = new IAMClient({
      region: TEST_REGION,
      endpoint: moto.url,
      credentials: { accessKeyId: "AKIAADMIN0000000", secretAccessKey: "admin-secret-admin" },
    });
    const user = async (name: string, actions: string[]): Promise<Keys & { arn: string }> => {
      const u = await iam.send(new CreateUserCommand({ UserName: name }));
      await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: "p", PolicyDocument: policy(actions) }));
      const k = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
      registerSecrets(k.SecretAccessKey);
      return { id: k.AccessKeyId!, secret: k.SecretAccessKey!, arn: u.User!.Arn! };
    };
    listOnly = await user("list-only", ["logs:DescribeLogGroups"]);
    noList = await user("no-list", ["logs:FilterLogEvents"]);
    const a = await user("assumer", ["sts:AssumeRole"]);
    assumer = a;
    const trust = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { AWS: a.arn },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "sts:ExternalId": EXTERNAL_ID } },
        },
      ],
    };
    const role = await iam.send(
      new CreateRoleCommand({ RoleName: "cloudwatch-reader", AssumeRolePolicyDocument: JSON.stringify(trust) }),
    );
    roleArn = role.Role!.Arn!;
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: "cloudwatch-reader",
        PolicyName: "read",
        PolicyDocument: policy([
          "logs:DescribeLogGroups",
          "logs:DescribeLogStreams",
          "logs:FilterLogEvents",
          "logs:GetLogEvents",
          "logs:GetLogRecord",
        ]),
      }),
    );
    iam.destroy();
    await moto.enforceAuth();
    base = { region_name: TEST_REGION, endpoint_url: moto.url, ingestion_delay_seconds: 0 };
  });
  after(async () => moto.stop());

  const keys = (k: Keys) => ({ ...base, aws_access_key_id: k.id, aws_secret_access_key: k.secret });

  test("check names logs:FilterLogEvents when only listing is allowed", async () => {
    const r = await runWith("check", keys(listOnly));
    const status = r.messages.find((m) => m.type === "CONNECTION_STATUS")!.connectionStatus!;
    assert.equal(status.status, "FAILED");
    assert.match(status.message!, /may not call logs:FilterLogEvents/);
  });

  test("check names logs:DescribeLogGroups when listing is denied", async () => {
    const r = await runWith("check", keys(noList));
    const status = r.messages.find((m) => m.type === "CONNECTION_STATUS")!.connectionStatus!;
    assert.equal(status.status, "FAILED");
    assert.match(status.message!, /may not call logs:DescribeLogGroups/);
  });

  test("read ends the stream INCOMPLETE with a config_error naming the denied action", async () => {
    const r = await runWith("read", keys(listOnly), { catalog: catalogFor(["/app/secure"]) });
    assert.notEqual(r.code, 0);
    assert.deepEqual(statuses(r.messages, "/app/secure"), ["STARTED", "INCOMPLETE"]);
    const err = errors(r.messages)[0]!;
    assert.equal(err.failure_type, "config_error");
    assert.match(err.message, /logs:FilterLogEvents/);
  });

  test("a wrong secret and an unknown key are reported as rejected credentials, without echoing the secret", async () => {
    const wrong = "this-is-the-wrong-secret-0000000000";
    registerSecrets(wrong);
    const r = await runWith("check", { ...keys(listOnly), aws_secret_access_key: wrong });
    assert.match(
      r.messages.find((m) => m.type === "CONNECTION_STATUS")!.connectionStatus!.message!,
      /AWS rejected the credentials .*SignatureDoesNotMatch/,
    );
    const u = await runWith("check", { ...keys(listOnly), aws_access_key_id: "AKIANOBODYKNOWS00000" });
    assert.match(
      u.messages.find((m) => m.type === "CONNECTION_STATUS")!.connectionStatus!.message!,
      /AWS rejected the credentials .*InvalidClientTokenId/,
    );
  });

  test("role assumption with the external id reads the group; a wrong external id names sts:AssumeRole", async () => {
    const cfg = { ...keys(assumer), role_arn: roleArn, role_external_id: EXTERNAL_ID, session_duration: 900 };
    const ok = await runWith("check", cfg);
    assert.deepEqual(ok.messages.find((m) => m.type === "CONNECTION_STATUS")!.connectionStatus, {
      status: "SUCCEEDED",
    });
    const r = await runWith("read", cfg, { catalog: catalogFor(["/app/secure"]) });
    assert.equal(r.code, 0, JSON.stringify(errors(r.messages)));
    assert.equal(records(r.messages).length, 12);
    const bad = await runWith("check", { ...cfg, role_external_id: "ext-wrong-000000" });
    const status = bad.messages.find((m) => m.type === "CONNECTION_STATUS")!.connectionStatus!;
    assert.equal(status.status, "FAILED");
    assert.match(status.message!, /sts:AssumeRole/);
  });

  test("temporary keys with a session token read the group", async () => {
    const sts = new STSClient({
      region: TEST_REGION,
      endpoint: moto.url,
      credentials: { accessKeyId: assumer.id, secretAccessKey: assumer.secret },
    });
    const c = (
      await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "t", ExternalId: EXTERNAL_ID }))
    ).Credentials!;
    sts.destroy();
    registerSecrets(c.SecretAccessKey, c.SessionToken);
    const cfg = {
      ...base,
      aws_access_key_id: c.AccessKeyId,
      aws_secret_access_key: c.SecretAccessKey,
      aws_session_token: c.SessionToken,
    };
    const r = await runWith("read", cfg, { catalog: catalogFor(["/app/secure"]) });
    assert.equal(r.code, 0, JSON.stringify(errors(r.messages)));
    assert.equal(records(r.messages).length, 12);
  });
});
