// The AWS-compatible endpoints the integration tests run against: moto_server (third-party) and
// the project's own CloudWatch Logs simulator.
import { startSimulator, type Simulator } from "../../sim/index.js";
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

const moto: EndpointKind = { name: "moto", start: () => startMoto() };

/**
 * An empty simulated account without quotas (these tests are not about quotas; a quota would make
 * them depend on how fast the machine sends requests). A reset empties the account in place: a
 * restart on the same port could find the port taken by another process in between.
 */
const simulator: EndpointKind = {
  name: "simulator",
  async start() {
    const sim: Simulator = await startSimulator({ scenario: { quotas: "none" } });
    return { url: sim.url, reset: () => sim.reset(), stop: () => sim.stop() };
  },
};

export const ENDPOINT_KINDS: readonly EndpointKind[] = [moto, simulator];
