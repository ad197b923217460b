// AWS JSON 1.1 errors: `__type` is what the SDK turns into `err.name`.

export class SimError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export const groupNotFound = (): SimError =>
  new SimError("ResourceNotFoundException", "The specified log group does not exist.");
export const streamNotFound = (): SimError =>
  new SimError("ResourceNotFoundException", "The specified log stream does not exist.");
export const invalidParameter = (message: string): SimError => new SimError("InvalidParameterException", message);

/** The message AWS uses for a model constraint violation. */
export function constraintViolation(parameter: string, value: unknown, constraint: string): SimError {
  const shown = typeof value === "string" ? value : JSON.stringify(value);
  return invalidParameter(
    `1 validation error detected: Value '${shown}' at '${parameter}' failed to satisfy constraint: ${constraint}`,
  );
}
