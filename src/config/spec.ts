// The connector's specification: the JSON Schema of its configuration, shown by `spec` and used to
// validate every config before any AWS call.

const REGION_PATTERN = "^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]+$";
const START_DATE_PATTERN = "^$|^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$";
const ROLE_ARN_PATTERN = "^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$";
// DescribeLogGroups' model: a pattern is up to 512 of these characters, as are log group names.
const NAME_PATTERN_PATTERN = "^[A-Za-z0-9._/#-]*$";
// A log group name, or a prefix of one followed by a single `*` (alone it would exclude everything).
const EXCLUDED_GROUP_PATTERN = "^[A-Za-z0-9._/#-]+[*]?$";
const ACCOUNT_ID_PATTERN = "^[0-9]{12}$";

/** Fields whose values must never appear in any output. */
export const SECRET_FIELDS = [
  "aws_access_key_id",
  "aws_secret_access_key",
  "aws_session_token",
  "role_external_id",
] as const;

export const connectionSpecification = {
  $schema: "http://json-schema.org/draft-07/schema#",
  title: "CloudWatch Logs Source Spec",
  type: "object",
  required: ["region_name"],
  additionalProperties: true,
  properties: {
    region_name: {
      type: "string",
      title: "AWS Region",
      description: "The AWS region of the log groups, e.g. us-east-1.",
      pattern: REGION_PATTERN,
      examples: ["us-east-1", "eu-west-1"],
      order: 0,
    },
    aws_access_key_id: {
      type: "string",
      title: "AWS Access Key ID",
      description:
        "Access key of an IAM user. Leave empty (with the secret) to use the default AWS credential chain (instance role, web identity, environment, profile).",
      airbyte_secret: true,
      order: 1,
    },
    aws_secret_access_key: {
      type: "string",
      title: "AWS Secret Access Key",
      description: "Secret of the access key above.",
      airbyte_secret: true,
      order: 2,
    },
    aws_session_token: {
      type: "string",
      title: "AWS Session Token",
      description: "Session token, for temporary access keys only.",
      airbyte_secret: true,
      order: 3,
    },
    profile: {
      type: "string",
      title: "AWS Profile",
      description:
        "A named profile of the AWS shared config and credentials files (~/.aws/config and ~/.aws/credentials, or AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE): its keys, role, SSO or credential process sign the calls, and nothing else does (an unknown profile is an error, never the next source of the default chain). Mostly for the local sync: a container has no such files unless they are mounted. Cannot be combined with the access keys above.",
      examples: ["prod"],
      order: 24,
    },
    role_arn: {
      type: "string",
      title: "AWS Role ARN",
      description:
        "IAM role to assume through STS, on top of the access keys above or the default credential chain. Credentials are refreshed before they expire.",
      pattern: ROLE_ARN_PATTERN,
      examples: ["arn:aws:iam::123456789012:role/airbyte-cloudwatch-logs"],
      order: 4,
    },
    role_external_id: {
      type: "string",
      title: "Role External ID",
      description: "External ID required by the role's trust policy, if any.",
      airbyte_secret: true,
      order: 5,
    },
    session_duration: {
      type: "integer",
      title: "Session Duration",
      description: "Duration in seconds of each assumed-role session (900 to 43200).",
      minimum: 900,
      maximum: 43200,
      default: 3600,
      order: 6,
    },
    log_group_prefix: {
      type: "string",
      title: "Log Group Prefix",
      description: "Only log groups whose names start with this prefix become streams.",
      examples: ["/aws/lambda/"],
      order: 7,
    },
    log_group_name_pattern: {
      type: "string",
      title: "Log Group Name Pattern",
      description:
        "Only log groups whose names contain this text (case-sensitive) become streams. Cannot be combined with the log group prefix.",
      pattern: NAME_PATTERN_PATTERN,
      maxLength: 512,
      examples: ["payments"],
      order: 8,
    },
    excluded_log_groups: {
      type: "array",
      title: "Excluded Log Groups",
      description:
        "Log groups never offered as streams nor read: exact names, or prefixes ending in * (e.g. /aws/lambda/noisy-*). With include_linked_accounts, an entry matches log groups of that name in every account.",
      items: { type: "string", pattern: EXCLUDED_GROUP_PATTERN, maxLength: 513 },
      examples: [["/aws/lambda/airbyte-*", "/ecs/debug"]],
      order: 9,
    },
    stream_layout: {
      type: "string",
      title: "Stream Layout",
      description:
        "per_log_group: one stream per log group. single_stream: one stream, log_events, with the events of every selected log group (each record names its log group); log groups that appear later are read without a catalog change. Custom reports stay streams of their own. single_stream needs Replicate Records delivery. With include_linked_accounts, records carry accountId (part of the primary key) and the state keys a source account's log group by its ARN.",
      enum: ["per_log_group", "single_stream"],
      default: "per_log_group",
      order: 10,
    },
    include_linked_accounts: {
      type: "boolean",
      title: "Include Linked Accounts",
      description:
        "For a CloudWatch cross-account observability monitoring account: also offer and read the log groups of the linked source accounts. Their streams are named <account id>:<log group name> and records carry accountId.",
      default: false,
      order: 11,
    },
    account_identifiers: {
      type: "array",
      title: "Account Identifiers",
      description:
        "With include_linked_accounts: only the log groups of these accounts (at most 20 twelve-digit ids; list the monitoring account's own id to keep its groups). Empty: every linked account and the monitoring account.",
      items: { type: "string", pattern: ACCOUNT_ID_PATTERN },
      maxItems: 20,
      examples: [["111122223333"]],
      order: 12,
    },
    custom_log_reports: {
      type: "array",
      title: "Custom Log Reports",
      description:
        "Extra streams, each reading one log group, optionally restricted to some log streams and a filter pattern.",
      order: 13,
      items: {
        type: "object",
        title: "Custom Log Report",
        required: ["name", "log_group_name"],
        additionalProperties: true,
        properties: {
          name: {
            type: "string",
            title: "Name",
            description: "Name of the stream this report produces. Unique, and not the name of a log group.",
            minLength: 1,
            order: 0,
          },
          log_group_name: {
            type: "string",
            title: "Log Group Name",
            description:
              "The log group to read: its name, or its ARN (a linked source account's group, with include_linked_accounts).",
            minLength: 1,
            order: 1,
          },
          log_stream_names: {
            type: "array",
            title: "Log Stream Names",
            description: "Read only these log streams (at most 100). Empty: all log streams of the group.",
            items: { type: "string", minLength: 1 },
            maxItems: 100,
            order: 2,
          },
          filter_pattern: {
            type: "string",
            title: "Filter Pattern",
            description: "CloudWatch Logs filter pattern; only matching events are replicated.",
            maxLength: 1024,
            order: 3,
          },
        },
      },
    },
    start_date: {
      type: "string",
      title: "Start Date",
      description:
        "UTC date and time (YYYY-MM-DDTHH:mm:ssZ) of the oldest events to replicate. Blank: from the earliest event.",
      pattern: START_DATE_PATTERN,
      examples: ["2024-01-01T00:00:00Z"],
      order: 14,
    },
    ingestion_delay_seconds: {
      type: "integer",
      title: "Ingestion Delay (seconds)",
      description:
        "Events younger than this are left for the next sync, because CloudWatch may still be ingesting events with earlier timestamps.",
      minimum: 0,
      maximum: 1209600,
      default: 300,
      order: 15,
    },
    endpoint_url: {
      type: "string",
      title: "Endpoint URL",
      description: "Custom endpoint for CloudWatch Logs and STS (VPC endpoint, local emulator).",
      examples: ["https://logs.us-east-1.amazonaws.com"],
      order: 16,
    },
    lookback_window_minutes: {
      type: "integer",
      title: "Lookback Window (minutes)",
      description:
        "Each incremental sync re-reads this much time before the saved state, to pick up events CloudWatch ingested late. Re-read events keep their primary key, so a deduplicating destination stays exact.",
      minimum: 0,
      maximum: 10080,
      default: 0,
      order: 18,
    },
    max_requests_per_second: {
      type: "number",
      title: "Max FilterLogEvents Requests per Second",
      description:
        "Upper bound of the read rate, shared by all streams (0.1 to 1000). Default: the region's FilterLogEvents quota (25 in us-east-1, 5 in eu-central-1 and a few others, 10 elsewhere). Lower it to leave quota to other readers of the account.",
      // Below 0.1 a request waits minutes to hours (past setTimeout's range near 0): a typo, not a rate.
      minimum: 0.1,
      maximum: 1000,
      order: 19,
    },
    max_concurrency: {
      type: "integer",
      title: "Max Concurrent Requests",
      description: "How many FilterLogEvents requests may be in flight at once, across log groups and time windows.",
      minimum: 1,
      maximum: 64,
      default: 8,
      order: 20,
    },
    request_timeout_seconds: {
      type: "integer",
      title: "Request Timeout (seconds)",
      description: "A request that stalls longer than this is abandoned and retried.",
      minimum: 1,
      maximum: 900,
      default: 30,
      order: 21,
    },
    parse_json_messages: {
      type: "boolean",
      title: "Parse JSON Messages",
      description: "When a message is a JSON object, also deliver it parsed, as message_json.",
      default: false,
      order: 22,
    },
    unmask: {
      type: "boolean",
      title: "Unmask Sensitive Data",
      description:
        "Read log groups that have a data protection policy with their sensitive values in clear (FilterLogEvents with unmask=true). Needs the logs:Unmask permission. Off: such values arrive masked with asterisks, as CloudWatch shows them.",
      default: false,
      order: 23,
    },
    delivery_method: {
      type: "object",
      title: "Delivery Method",
      description: "How the data reaches the destination.",
      default: { delivery_type: "use_records_transfer" },
      order: 17,
      oneOf: [
        {
          type: "object",
          title: "Replicate Records",
          description: "Each log event becomes a record.",
          required: ["delivery_type"],
          properties: {
            delivery_type: { type: "string", const: "use_records_transfer", default: "use_records_transfer", order: 0 },
          },
        },
        {
          type: "object",
          title: "Copy Raw Files",
          description:
            "Raw log files, one per log stream and day (one message per line), are staged and handed to the destination as files.",
          required: ["delivery_type"],
          properties: {
            delivery_type: { type: "string", const: "use_file_transfer", default: "use_file_transfer", order: 0 },
          },
        },
      ],
    },
  },
} as const;

export const connectorSpecification = {
  documentationUrl: "https://docs.airbyte.com/integrations/sources/cloudwatch-logs",
  connectionSpecification,
  supportsIncremental: true,
};
