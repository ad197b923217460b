// The CAT inputs of integration_tests/, loaded for our own suites so they are proven, not decorative.
import { repoJson } from "./repo.js";

export type Config = Record<string, unknown>;

/** integration_tests/sample_config.json pointed at a local endpoint. */
export function sampleConfig(endpointUrl: string, overrides: Config = {}): Config {
  return { ...repoJson<Config>("integration_tests/sample_config.json"), endpoint_url: endpointUrl, ...overrides };
}

export function invalidConfig(): Config {
  return repoJson<Config>("integration_tests/invalid_config.json");
}

export interface CatalogFile {
  streams: { stream: { name: string }; sync_mode: string; [k: string]: unknown }[];
}

export function configuredCatalog(syncMode?: "full_refresh" | "incremental"): CatalogFile {
  const c = repoJson<CatalogFile>("integration_tests/configured_catalog.json");
  if (syncMode) for (const s of c.streams) s.sync_mode = syncMode;
  return c;
}

/** The stream names of integration_tests/configured_catalog.json. */
export function catalogStreams(): string[] {
  return configuredCatalog().streams.map((s) => s.stream.name);
}

export function abnormalState(): unknown[] {
  return repoJson<unknown[]>("integration_tests/abnormal_state.json");
}
