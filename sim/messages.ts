// Message bodies by shape. ASCII only (so a message's length is its byte size and JSON escaping
// is cheap); built from a seeded word corpus plus per-event fields so filter patterns have
// something to find: about 5% ERROR, 10% WARN, the rest INFO.
import { hashIndex, mix32, unit } from "./prng.js";
import type { MessageShape } from "./model.js";

const WORDS = (
  "request completed started failed retry timeout cache miss hit user session token order payment " +
  "invoice shipment queue worker batch record upstream downstream latency connection pool database " +
  "query index shard replica leader follower commit rollback checkpoint snapshot lambda container " +
  "deploy config feature flag metric trace span handler router gateway service backend frontend"
).split(" ");
const COMPONENTS = ["api", "db", "auth", "cache", "worker", "billing", "search", "mailer"];
const PATHS = ["/api/items", "/api/orders", "/api/users", "/health", "/api/search", "/static/app.js"];
const AGENTS = ["curl/8.5.0", "Mozilla/5.0 (X11; Linux x86_64)", "okhttp/4.12.0", "python-requests/2.32.3"];

/** A seeded text of words, sliced into messages at hashed offsets. */
export function makeCorpus(seed: number, length = 32_768): string {
  const parts: string[] = [];
  let n = 0;
  for (let i = 0; n < length; i++) {
    const w = WORDS[hashIndex(seed, i, 7) % WORDS.length] as string;
    parts.push(w);
    n += w.length + 1;
  }
  return parts.join(" ");
}

function level(h: number): string {
  const u = unit(h);
  return u < 0.05 ? "ERROR" : u < 0.15 ? "WARN" : "INFO";
}

function fill(corpus: string, h: number, n: number): string {
  if (n <= 0) return "";
  const span = Math.min(n, corpus.length - 1);
  const off = mix32(h ^ 0x51ed27) % (corpus.length - span);
  const s = corpus.substr(off, span);
  return span === n ? s : s + " ".repeat(n - span);
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

function hex8(h: number): string {
  return (HEX[h >>> 24] as string) + HEX[(h >>> 16) & 255] + HEX[(h >>> 8) & 255] + HEX[h & 255];
}

/** The message of an event whose hash is h (h is already per-event). */
export function makeMessage(shape: MessageShape, size: number, corpus: string, h: number, timestamp: number): string {
  switch (shape) {
    case "json": {
      const head = `{"level":"${level(h)}","component":"${COMPONENTS[h % COMPONENTS.length]}","requestId":"${hex8(mix32(h))}","latencyMs":${h % 2000},"msg":"`;
      return `${head + fill(corpus, h, size - head.length - 2)}"}`;
    }
    case "access-log": {
      const g = mix32(h ^ 0xacce55);
      const status = unit(h) < 0.05 ? 500 : unit(h) < 0.15 ? 404 : 200;
      const line =
        `10.${g & 255}.${(g >>> 8) & 255}.${(g >>> 16) & 255} - - [${new Date(timestamp).toISOString()}] ` +
        `"GET ${PATHS[h % PATHS.length]}/${g % 100000} HTTP/1.1" ${status} ${g % 50000} "-" "${AGENTS[(g >>> 24) % AGENTS.length]}"`;
      return line.length >= size ? line : `${line} ${fill(corpus, h, size - line.length - 1)}`;
    }
    default: {
      const head = `${level(h)} [${COMPONENTS[h % COMPONENTS.length]}] req-${hex8(mix32(h))} `;
      return head.length >= size ? head.slice(0, size) : head + fill(corpus, h, size - head.length);
    }
  }
}
