// The configured delivery method picks a stream's sink: records on stdout, or raw files staged in
// the stream's folder (file transfer).
import type { Emitter } from "../airbyte/emitter.js";
import type { Config } from "../config/config.js";
import { streamFolder } from "./file-names.js";
import { fileSink } from "./files.js";
import { recordSink } from "./records.js";
import type { EventSink } from "./sink.js";

export interface SinkChoice {
  readonly config: Pick<Config, "deliveryType" | "parseJsonMessages">;
  readonly emitter: Emitter;
  readonly stagingDirectory: string;
  readonly stream: string;
  readonly logGroupName: string;
  /** On every record (records mode), with linked accounts only. */
  readonly accountId?: string | undefined;
  /** Where this sync starts reading the stream. */
  readonly rangeStart: number;
  /** The clock of the files' emitted_at. */
  readonly now: () => number;
}

export function sinkFor(choice: SinkChoice): EventSink {
  const { config, emitter, stream, logGroupName } = choice;
  return config.deliveryType === "use_file_transfer"
    ? fileSink({
        emitter,
        stream,
        logGroupName,
        directory: streamFolder(choice.stagingDirectory, stream),
        rangeStart: choice.rangeStart,
        now: choice.now,
      })
    : recordSink(emitter, stream, logGroupName, config.parseJsonMessages, choice.accountId);
}
