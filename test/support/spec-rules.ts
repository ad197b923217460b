// The connector acceptance tests' rules for a spec (see airbyte.md), shared by the CLI and acceptance suites.

export type Schema = Record<string, unknown>;

/** The acceptance-test rules for a spec's connectionSpecification. */
export function specProblems(schema: Schema, path = "spec"): string[] {
  const problems: string[] = [];
  for (const banned of ["anyOf", "allOf", "not", "patternProperties", "if", "then", "else", "$ref"]) {
    if (banned in schema) problems.push(`${path} uses ${banned}`);
  }
  if ("additionalProperties" in schema && schema.additionalProperties !== true)
    problems.push(`${path}.additionalProperties is not true`);
  const props = (schema.properties ?? {}) as Record<string, Schema>;
  const orders = Object.values(props)
    .map((p) => p.order)
    .filter((o) => o !== undefined);
  if (new Set(orders).size !== orders.length) problems.push(`${path}: order values are not unique`);
  for (const [name, p] of Object.entries(props)) {
    if (/secret|token|external_id|access_key/.test(name) && p.airbyte_secret !== true)
      problems.push(`${path}.${name} is not airbyte_secret`);
    problems.push(...specProblems(p, `${path}.${name}`));
  }
  if (schema.items) problems.push(...specProblems(schema.items as Schema, `${path}[]`));
  if (Array.isArray(schema.oneOf)) {
    const variants = schema.oneOf as Schema[];
    const consts = variants.map((v) => {
      const vp = (v.properties ?? {}) as Record<string, Schema>;
      return Object.entries(vp)
        .filter(([, x]) => "const" in x)
        .map(([k]) => k);
    });
    if (variants.some((v) => v.type !== "object")) problems.push(`${path}: oneOf variants must be objects`);
    const shared = consts[0]?.filter((k) => consts.every((c) => c.includes(k))) ?? [];
    if (shared.length !== 1) problems.push(`${path}: oneOf variants need one shared const discriminator`);
    for (const [i, v] of variants.entries()) problems.push(...specProblems({ ...v }, `${path}.oneOf[${i}]`));
  }
  return problems;
}
