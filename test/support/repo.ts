// Files at the repository root, read from compiled tests (dist/test/...).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export function repoFile(path: string): string {
  return readFileSync(new URL(`../../../${path}`, import.meta.url), "utf8");
}

export function repoJson<T = unknown>(path: string): T {
  return JSON.parse(repoFile(path)) as T;
}
