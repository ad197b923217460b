// The Logs operations the simulator speaks, by X-Amz-Target operation name.
import type { Operation } from "./context.js";
import type { ApiName } from "../model.js";
import { describeLogGroups } from "./describe-log-groups.js";
import { describeLogStreams } from "./describe-log-streams.js";
import { filterLogEvents } from "./filter-log-events.js";
import { getLogEvents } from "./get-log-events.js";
import { createLogGroup, createLogStream, deleteLogGroup } from "./create.js";
import { putLogEvents } from "./put-log-events.js";

export const LOGS_OPERATIONS: Readonly<Partial<Record<ApiName, Operation>>> = {
  DescribeLogGroups: describeLogGroups,
  DescribeLogStreams: describeLogStreams,
  FilterLogEvents: filterLogEvents,
  GetLogEvents: getLogEvents,
  CreateLogGroup: createLogGroup,
  CreateLogStream: createLogStream,
  DeleteLogGroup: deleteLogGroup,
  PutLogEvents: putLogEvents,
};
