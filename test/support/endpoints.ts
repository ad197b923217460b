// The AWS-compatible endpoints the integration tests run against: moto_server (third-party) and
// the project's own CloudWatch Logs simulator.
import { startSimulator, type Simulator } from "../../src/sim/index.js";
import { startMoto } from "./moto.js";

export interface Endpoint {
  readonly url: string;
  /** Wipes all log groups. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export interface EndpointKind {
  readonly name: string;
  start(): Promise<Endpoint>;
}

export const moto: EndpointKind = { name: "moto", start: () => startMoto() };

/**
 * An empty simulated account without quotas (these tests are not about quotas; a quota would make
 * them depend on how fast the machine sends requests); a reset starts a fresh one on the same port.
 */
export const simulator: EndpointKind = {
  name: "simulator",
  async start() {
    const scenario = { quotas: "none" } as const;
    let sim: Simulator = await startSimulator({ scenario });
    const port = sim.port;
    return {
      url: sim.url,
      async reset() {
        await sim.stop();
        sim = await startSimulator({ port, scenario });
      },
      stop: () => sim.stop(),
    };
  },
};

export const ENDPOINT_KINDS: readonly EndpointKind[] = [moto, simulator];
