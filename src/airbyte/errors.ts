// Errors the connector reports to people. Each carries the Airbyte failure_type it maps to.

export type FailureType = "config_error" | "system_error" | "transient_error";

export class ConnectorError extends Error {
  constructor(
    message: string,
    readonly failureType: FailureType,
    options: { cause?: unknown; internalMessage?: string } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "ConnectorError";
    this.internalMessage = options.internalMessage;
  }
  readonly internalMessage: string | undefined;
}

/** Bad configuration, catalog or state: the user must change an input. */
export class ConfigError extends ConnectorError {
  constructor(message: string, options: { cause?: unknown; internalMessage?: string } = {}) {
    super(message, "config_error", options);
    this.name = "ConfigError";
  }
}

/** Turns anything thrown into a ConnectorError without losing the original as cause. */
export function asConnectorError(err: unknown): ConnectorError {
  if (err instanceof ConnectorError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new ConnectorError(`Unexpected error: ${message}`, "system_error", { cause: err });
}
