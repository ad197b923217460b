// Validates connector output against the vendored Airbyte protocol schema.
import { readFileSync } from "node:fs";
import { Ajv, type ValidateFunction } from "ajv";
import { parse } from "yaml";
import type { AirbyteMessage } from "../../src/airbyte/protocol.js";

let validator: ValidateFunction | undefined;

function messageValidator(): ValidateFunction {
  if (validator) return validator;
  const schemaUrl = new URL("../../../protocol/airbyte_protocol.yaml", import.meta.url);
  const schema = parse(readFileSync(schemaUrl, "utf8")) as Record<string, unknown>;
  // strict: false because the YAML carries extra keywords (existingJavaType, airbyte_secret...).
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
  ajv.addSchema(schema, "protocol");
  validator = ajv.getSchema("protocol#/definitions/AirbyteMessage");
  if (!validator) throw new Error("AirbyteMessage definition not found");
  return validator;
}

/** Parses stdout into messages; throws if any line is not JSON or not a valid AirbyteMessage. */
export function parseMessages(stdout: string): AirbyteMessage[] {
  const validate = messageValidator();
  const lines = stdout.split("\n").filter((l) => l.length > 0);
  return lines.map((line, i) => {
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      throw new Error(`stdout line ${i + 1} is not JSON: ${line.slice(0, 200)}`);
    }
    if (!validate(msg)) {
      throw new Error(
        `stdout line ${i + 1} is not a valid AirbyteMessage: ${JSON.stringify(validate.errors)}\n${line.slice(0, 500)}`,
      );
    }
    return msg as AirbyteMessage;
  });
}
