// Shared helpers for the simulator tests: SDK clients pointed at an endpoint.
import { CloudWatchLogsClient, type CloudWatchLogsClientConfig } from "@aws-sdk/client-cloudwatch-logs";

export const REGION = "us-east-1";
export const STATIC_KEYS = { accessKeyId: "AKIDSIMTEST", secretAccessKey: "secret" };

export function logsClient(endpoint: string, extra: Partial<CloudWatchLogsClientConfig> = {}): CloudWatchLogsClient {
  return new CloudWatchLogsClient({ region: REGION, endpoint, credentials: STATIC_KEYS, maxAttempts: 1, ...extra });
}

/** Runs fn and returns the error it throws (fails if it does not throw). */
export async function errorOf(
  fn: () => Promise<unknown>,
): Promise<Error & { $metadata?: { httpStatusCode?: number }; $fault?: string }> {
  try {
    await fn();
  } catch (e) {
    return e as Error & { $metadata?: { httpStatusCode?: number } };
  }
  throw new Error("expected an error");
}

export async function post(url: string, path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${url}${path}`, { method: "POST", body: JSON.stringify(body) });
  return res.json();
}
