// Airbyte's packaging rules (airbyte.md, "Packaging") as a checker over Dockerfile, metadata.yaml
// and package.json, so the test can also prove the checker rejects broken files.
import { lastValue, parseDockerfile } from "./dockerfile.js";

export interface PackageJson {
  readonly name: string;
  readonly version: string;
  readonly bin: Record<string, string>;
  readonly engines?: { readonly node?: string };
}

export type Metadata = { metadataSpecVersion?: unknown; data?: Record<string, unknown> };

const IMAGE_HOME = "/airbyte/integration_code";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The node flags on the first line of main.ts (and of the main.js built from it): `#!/usr/bin/env -S node <flags>`. */
export function launchFlags(mainSource: string): string[] {
  const first = mainSource.split("\n", 1)[0] ?? "";
  const m = /^#!\/usr\/bin\/env(?: -S)? node((?: --\S+)*)$/.exec(first);
  if (!m) throw new Error(`main.ts does not start with a node shebang: ${first}`);
  return m[1]!.split(" ").filter(Boolean);
}

export function dockerfileProblems(
  dockerfile: string,
  metadata: Metadata,
  pkg: PackageJson,
  nodeFlags: readonly string[],
): string[] {
  const problems: string[] = [];
  const stages = parseDockerfile(dockerfile);
  const final = stages[stages.length - 1];
  if (!final) return ["Dockerfile has no FROM"];
  const data = metadata.data ?? {};
  const all = (k: string) => final.instructions.filter((i) => i.keyword === k);

  const name = lastValue(final, "LABEL", "io.airbyte.name");
  const version = lastValue(final, "LABEL", "io.airbyte.version");
  if (name !== data.dockerRepository)
    problems.push(`label io.airbyte.name ${name} != metadata dockerRepository ${String(data.dockerRepository)}`);
  if (version !== String(data.dockerImageTag))
    problems.push(`label io.airbyte.version ${version} != metadata dockerImageTag ${String(data.dockerImageTag)}`);
  if (version !== pkg.version)
    problems.push(`label io.airbyte.version ${version} != package.json version ${pkg.version}`);

  const entry = all("ENTRYPOINT").at(-1)?.args;
  let argv: unknown;
  try {
    argv = entry === undefined ? undefined : JSON.parse(entry);
  } catch {
    argv = undefined;
  }
  if (!Array.isArray(argv) || !argv.every((a) => typeof a === "string")) {
    problems.push("ENTRYPOINT must be in exec form (a JSON array of strings)");
  } else {
    const joined = (argv as string[]).join(" ");
    const env = lastValue(final, "ENV", "AIRBYTE_ENTRYPOINT");
    if (env !== joined)
      problems.push(`AIRBYTE_ENTRYPOINT ${JSON.stringify(env)} != ENTRYPOINT ${JSON.stringify(joined)}`);
    const script = (argv as string[]).find((a) => a.endsWith(".js"));
    const flags = (argv as string[]).slice(1, (argv as string[]).indexOf(script ?? ""));
    if (argv[0] !== "node" || flags.join(" ") !== nodeFlags.join(" "))
      problems.push(`ENTRYPOINT must run node ${nodeFlags.join(" ")} <script>, as main.ts's first line does`);
    const bin = Object.values(pkg.bin)[0];
    if (!script?.startsWith("/")) problems.push("the ENTRYPOINT script path must be absolute");
    if (script !== `${IMAGE_HOME}/${bin}`)
      problems.push(`ENTRYPOINT runs ${script}, not the package bin ${IMAGE_HOME}/${bin}`);
  }

  if (all("USER").at(-1)?.args !== "airbyte") problems.push("the final stage must run as USER airbyte");
  const runs = all("RUN")
    .map((i) => i.args)
    .join("\n");
  if (!/useradd\b[^\n]*\bairbyte\b/.test(runs)) problems.push("the final stage must create the user airbyte");
  if (!/chown\s+(-R\s+)?airbyte(:airbyte)?\s+\/airbyte\b/.test(runs))
    problems.push("/airbyte must be owned by airbyte");
  if (all("WORKDIR").at(-1)?.args !== IMAGE_HOME) problems.push(`WORKDIR must be ${IMAGE_HOME}`);
  for (const c of all("COPY")) {
    if (!/--chown=airbyte/.test(c.args)) problems.push(`COPY without --chown=airbyte: ${c.args}`);
  }
  // A small production image: no npm install in the final stage, node_modules only from a stage
  // that pruned dev dependencies.
  if (/\bnpm\s+(ci|install|i)\b/.test(runs)) problems.push("the final stage must not install packages");
  const modules = all("COPY").find((c) => /node_modules/.test(c.args));
  if (modules) {
    const from = /--from=(\S+)/.exec(modules.args)?.[1];
    const src = stages.find((s) => s.name === from);
    const pruned = src?.instructions.some(
      (i) => i.keyword === "RUN" && /npm\s+prune\s+(--omit=dev|--production)/.test(i.args),
    );
    if (!pruned) problems.push("node_modules must come from a stage that ran npm prune --omit=dev");
  }
  // The build stage compiles what ships (prepack), so the tests and benchmarks stay out of it.
  for (const s of stages.slice(0, -1))
    for (const c of s.instructions.filter((i) => i.keyword === "COPY" && !/--from=/.test(i.args)))
      for (const source of c.args.split(/\s+/).slice(0, -1))
        if (/^(\.\/?|(\.\/)?(test|bench)(\/.*)?)$/.test(source))
          problems.push(`the build stage copies ${source}, which does not ship`);
  const dist = all("COPY").find((c) => /dist\/src/.test(c.args));
  const distFrom = stages.find((s) => s.name === /--from=(\S+)/.exec(dist?.args ?? "")?.[1]);
  if (
    !distFrom?.instructions.some((i) => i.keyword === "RUN" && /npm\s+pack\b/.test(i.args)) ||
    !/\/package\/dist\/src/.test(dist?.args ?? "")
  ) {
    problems.push("dist/src must be copied from the npm pack output, so the image ships what the package ships");
  }
  // One support story: both stages on metadata's base image, a Node that package.json's engines allow.
  const baseImage = String((data.connectorBuildOptions as { baseImage?: unknown } | undefined)?.baseImage).replace(
    /^docker\.io\/library\//,
    "",
  );
  for (const s of stages) if (s.from !== baseImage) problems.push(`FROM ${s.from} != metadata baseImage ${baseImage}`);
  const imageMajor = Number(/^node:(\d+)-slim$/.exec(final.from)?.[1]);
  const minimum = Number(/^>=(\d+)$/.exec(pkg.engines?.node ?? "")?.[1]);
  if (!(imageMajor > 0)) problems.push(`the runtime image must be node:<major>-slim (got ${final.from})`);
  if (!(minimum > 0))
    problems.push(`package.json engines.node must be ">=<major>" (got ${JSON.stringify(pkg.engines?.node)})`);
  else if (imageMajor < minimum)
    problems.push(`the image's Node ${imageMajor} is below engines.node ${pkg.engines?.node}`);
  return problems;
}

export function metadataProblems(metadata: Metadata, pkg: PackageJson, documentationUrl: string): string[] {
  const problems: string[] = [];
  const d = metadata.data ?? {};
  if (metadata.metadataSpecVersion !== "1.0") problems.push('metadataSpecVersion must be "1.0"');
  const expect: Record<string, unknown> = {
    connectorType: "source",
    connectorSubtype: "api",
    dockerRepository: `airbyte/${pkg.name}`,
    dockerImageTag: pkg.version,
    githubIssueLabel: pkg.name,
    documentationUrl,
    license: "MIT",
    releaseStage: "alpha",
    supportLevel: "community",
  };
  for (const [k, v] of Object.entries(expect))
    if (d[k] !== v) problems.push(`data.${k} is ${JSON.stringify(d[k])}, expected ${JSON.stringify(v)}`);
  if (typeof d.name !== "string" || d.name === "") problems.push("data.name is missing");
  if (typeof d.definitionId !== "string" || !UUID.test(d.definitionId))
    problems.push("data.definitionId must be a uuid");
  const hosts = ((d.allowedHosts as { hosts?: unknown } | undefined)?.hosts ?? []) as unknown[];
  // biome-ignore lint/suspicious/noTemplateCurlyInString: Airbyte's literal ${region_name} placeholder.
  for (const h of ["logs.${region_name}.amazonaws.com", "sts.amazonaws.com", "sts.${region_name}.amazonaws.com"]) {
    if (!hosts.includes(h)) problems.push(`allowedHosts.hosts lacks ${h}`);
  }
  const max = d.maxSecondsBetweenMessages;
  if (typeof max !== "number" || !Number.isInteger(max) || max <= 0)
    problems.push("maxSecondsBetweenMessages must be a positive integer");
  if (!Array.isArray(d.tags) || !d.tags.includes("language:typescript"))
    problems.push("tags must include language:typescript");
  return problems;
}
