// Permissions: every caller may do everything except what the scenario's deniedActions deny, on
// every log group or on some only. Denials are worded as AWS words them, naming the action.
import type { Settings } from "./model.js";
import { SimError } from "./errors.js";

/** The log group a request acts on, when it names one that exists. */
interface Resource {
  readonly name: string;
  readonly arn: string;
}

/** AccessDeniedException for `action` on `group` when the scenario denies it, else undefined. */
export function denial(settings: Settings, action: string, group: Resource | undefined): SimError | undefined {
  const denied = settings.deniedActions.some(
    (d) =>
      d.action === action && (d.logGroups === undefined || (group !== undefined && d.logGroups.includes(group.name))),
  );
  if (!denied) return undefined;
  const resource = group ? `${group.arn}:*` : "*";
  return new SimError(
    "AccessDeniedException",
    `User: arn:aws:iam::${settings.accountId}:user/simulator is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`,
  );
}
