// The AWS-compatible endpoints the integration tests run against.
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

export const ENDPOINT_KINDS: readonly EndpointKind[] = [moto];
