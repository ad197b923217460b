// How many events of a log group one FilterLogEvents page carries under the 1 MB cap: the
// benchmarks' lower bounds count full pages of these events.

/** Events per full page of `group` over [start, end): one unsigned request to the simulator. */
export async function pageCapacity(url: string, group: string, start: number, end: number): Promise<number> {
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": "Logs_20140328.FilterLogEvents",
      Authorization:
        "AWS4-HMAC-SHA256 Credential=AKIABENCH0000000001/20260101/us-west-2/logs/aws4_request, SignedHeaders=host, Signature=0",
    },
    body: JSON.stringify({ logGroupName: group, startTime: start, endTime: end }),
  });
  const page = (await res.json()) as { events?: unknown[] };
  return page.events?.length ?? 0;
}
