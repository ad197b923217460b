// CLI: node dist/sim/main.js [--scenario FILE] [--port N] [--host H]
// Prints the base URL as the first line of stdout, then serves until SIGINT/SIGTERM.
import { parseArgs } from "node:util";
import { startSimulator } from "./index.js";
import { ScenarioError } from "./validate-scenario.js";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scenario: { type: "string" },
      port: { type: "string" },
      host: { type: "string" },
      help: { type: "boolean" },
    },
  });
  if (values.help) {
    console.log("usage: npm run sim -- [--scenario FILE] [--port N] [--host 127.0.0.1]");
    return;
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: not a port: ${values.port}`);
  const sim = await startSimulator({
    ...(values.scenario ? { scenario: values.scenario } : {}),
    port,
    ...(values.host ? { host: values.host } : {}),
  });
  process.stdout.write(`${sim.url}\n`);
  const groups = sim.scenario.groups.length;
  process.stderr.write(
    `simulator: ${groups} log group(s), region ${sim.scenario.settings.region}; controls at ${sim.url}/_sim/counters, /_sim/clock\n`,
  );
  const shutdown = (): void => {
    void sim.stop().then(() => process.exit(0));
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof ScenarioError ? e.message : String((e as Error)?.stack ?? e)}\n`);
  process.exit(2);
});
