// The common algorithm of existing CloudWatch readers, for a side-by-side ratio: every log group
// in turn, 1-day windows from the start date, FilterLogEvents one page at a time.
import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  FilterLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { DAY_MS } from "./scenarios.js";

export interface ReferenceResult {
  readonly events: number;
  readonly requests: number;
  readonly seconds: number;
}

export async function referenceRead(
  endpoint: string,
  region: string,
  start: number,
  end: number,
): Promise<ReferenceResult> {
  const client = new CloudWatchLogsClient({
    region,
    endpoint,
    credentials: { accessKeyId: "AKIAREFERENCE000001", secretAccessKey: "reference-reader-secret" },
  });
  const began = Date.now();
  let events = 0;
  let requests = 0;
  const groups: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new DescribeLogGroupsCommand({ nextToken: token }));
    requests++;
    for (const g of page.logGroups ?? []) groups.push(g.logGroupName!);
    token = page.nextToken;
  } while (token);
  for (const group of groups) {
    for (let from = start; from < end; from += DAY_MS) {
      let next: string | undefined;
      do {
        const page = await client.send(
          new FilterLogEventsCommand({
            logGroupName: group,
            startTime: from,
            endTime: Math.min(end, from + DAY_MS) - 1,
            nextToken: next,
          }),
        );
        requests++;
        events += page.events?.length ?? 0;
        next = page.nextToken;
      } while (next);
    }
  }
  client.destroy();
  return { events, requests, seconds: (Date.now() - began) / 1000 };
}
