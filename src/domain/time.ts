// Epoch-millisecond arithmetic shared by the planner (ranges, retention) and the file sink (one file per UTC day).
export const DAY_MS = 86_400_000;
