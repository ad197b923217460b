// The reader a user would write in ten minutes, as the connector's peer in `npm run bench`
// (scenario 2): the AWS SDK v3's paginators over every log group, each event written to stdout as
// JSON.stringify makes it. Run as its own process: `node naive-reader.js <endpoint> <region>`.
import {
  CloudWatchLogsClient,
  paginateDescribeLogGroups,
  paginateFilterLogEvents,
} from "@aws-sdk/client-cloudwatch-logs";
import { once } from "node:events";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const [endpoint, region] = process.argv.slice(2);
const client = new CloudWatchLogsClient({
  region,
  endpoint,
  credentials: { accessKeyId: "AKIANAIVE0000000001", secretAccessKey: "naive-reader-secret" },
});
const groups: string[] = [];
for await (const page of paginateDescribeLogGroups({ client }, {}))
  for (const g of page.logGroups ?? []) groups.push(g.logGroupName!);
let events = 0;
for (const logGroupName of groups) {
  for await (const page of paginateFilterLogEvents({ client }, { logGroupName })) {
    for (const e of page.events ?? []) process.stdout.write(`${JSON.stringify(e)}\n`);
    events += page.events?.length ?? 0;
    // Back-pressure once per page, as a careful user would: memory stays bounded.
    if (process.stdout.writableNeedDrain) await once(process.stdout, "drain");
  }
}
client.destroy();
process.stderr.write(`naive reader: ${events} events\n`);
