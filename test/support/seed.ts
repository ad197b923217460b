// Seeds an AWS-compatible endpoint (moto or the simulator) through the real SDK.
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";

export const TEST_REGION = "us-east-1";
export const TEST_KEYS = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};

/** A connector's config for the endpoint at `url`: the test keys, no ingestion delay, then `extra`. */
export function endpointConfig(url: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    region_name: "us-east-1",
    aws_access_key_id: TEST_KEYS.accessKeyId,
    aws_secret_access_key: TEST_KEYS.secretAccessKey,
    endpoint_url: url,
    ingestion_delay_seconds: 0,
    ...extra,
  };
}

export interface SeedEvent {
  readonly stream: string;
  readonly timestamp: number;
  readonly message: string;
}

export function logsClient(endpoint: string, credentials = TEST_KEYS, region = TEST_REGION): CloudWatchLogsClient {
  return new CloudWatchLogsClient({ region, endpoint, credentials, maxAttempts: 1 });
}

/** Creates the group (and its streams) and puts the events, batched per stream in time order. */
export async function seedGroup(
  endpoint: string,
  group: string,
  events: readonly SeedEvent[],
  credentials = TEST_KEYS,
  region = TEST_REGION,
): Promise<void> {
  const client = logsClient(endpoint, credentials, region);
  try {
    await client.send(new CreateLogGroupCommand({ logGroupName: group }));
    const byStream = new Map<string, SeedEvent[]>();
    for (const e of events) byStream.set(e.stream, [...(byStream.get(e.stream) ?? []), e]);
    for (const [stream, list] of byStream) {
      await client.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
      const sorted = [...list].sort((a, b) => a.timestamp - b.timestamp);
      for (let i = 0; i < sorted.length; i += 5000) {
        await client.send(
          new PutLogEventsCommand({
            logGroupName: group,
            logStreamName: stream,
            logEvents: sorted.slice(i, i + 5000).map((e) => ({ timestamp: e.timestamp, message: e.message })),
          }),
        );
      }
    }
  } finally {
    client.destroy();
  }
}

/** Adds events to an existing stream (creating the stream if asked). */
export async function putEvents(
  endpoint: string,
  group: string,
  stream: string,
  events: readonly Omit<SeedEvent, "stream">[],
  create = false,
): Promise<void> {
  const client = logsClient(endpoint);
  try {
    if (create) await client.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
    const sorted = [...events].sort((a, b) => a.timestamp - b.timestamp);
    await client.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents: sorted }));
  } finally {
    client.destroy();
  }
}

/** `n` events spread over [start, start + spanMs), round-robin over the streams, messages tagged with i. */
export function spreadEvents(
  n: number,
  start: number,
  spanMs: number,
  streams: readonly string[],
  tag = "event",
): SeedEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    stream: streams[i % streams.length]!,
    timestamp: start + Math.floor((i * spanMs) / n),
    message: `${tag} ${i}`,
  }));
}
