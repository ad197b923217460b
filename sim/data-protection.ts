// Data protection policies: the values a log group masks in the events it returns, and the
// logs:Unmask permission a reader needs to see them in clear (unmask=true).
import type { DataIdentifier, DataProtectionSpec, Settings } from "./model.js";
import { denial } from "./iam.js";
import type { Render } from "./page.js";

/**
 * The managed data identifiers as plain regular expressions (AWS's own detection is richer; these
 * are enough to give tests predictable masks).
 */
const IDENTIFIER_PATTERNS: Readonly<Record<DataIdentifier, string>> = {
  EmailAddress: "[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}",
  IpAddress: "\\b(?:\\d{1,3}\\.){3}\\d{1,3}\\b",
  AwsSecretKey: "\\b[A-Za-z0-9/+]{40}\\b",
  CreditCardNumber: "\\b(?:\\d{4}[ -]?){3}\\d{4}\\b",
};

/** A message as the group shows it without unmask. */
export type Masker = (message: string) => string;

/** Every match of the policy's identifiers and custom patterns becomes as many `*` as it has characters. */
export function makeMasker(policy: DataProtectionSpec): Masker {
  const sources = [...policy.identifiers.map((id) => IDENTIFIER_PATTERNS[id]), ...policy.customPatterns];
  const pattern = new RegExp(sources.map((s) => `(?:${s})`).join("|"), "g");
  return (message) => message.replace(pattern, (m) => "*".repeat(m.length));
}

/**
 * How a read (FilterLogEvents, GetLogEvents) writes a group's events: unmask=true needs
 * logs:Unmask, asked for whether or not the group has a policy; without it, a policy's matches are
 * masked. Filter patterns still see the stored message; only the answer is masked.
 */
export function readRender(
  settings: Settings,
  group: { readonly name: string; readonly arn: string; readonly mask?: Masker | undefined },
  unmask: boolean,
  render: Render,
): Render {
  const denied = unmask ? denial(settings, "logs:Unmask", group) : undefined;
  if (denied) throw denied;
  const mask = unmask ? undefined : group.mask;
  return mask ? (out, src, i, ts, ingestion, message) => render(out, src, i, ts, ingestion, mask(message)) : render;
}
