import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadEnv as loadWorkerEnv } from "../../worker/src/env";
import { loadEnv as loadApiEnv } from "../src/env";

/** Variables only the start script reads (tooling/scripts/start.mjs). */
const START_SCRIPT_KEYS = ["START_TIMEOUT_MS"];
/**
 * Variables npm start decides while they are unset (the local mail inbox, the Twilio stand-in, a
 * free metrics port): commented out, with the apps' own default, so a .env copied from the example
 * does not turn the local inboxes off.
 */
const START_SCRIPT_DECIDES = ["SMTP_URL", "TWILIO_ACCOUNT_SID", "WORKER_METRICS_PORT"];

/** Every key a loader reads: a proxy source records each one the schema asks for. */
function schemaKeys(load: (source: Record<string, string | undefined>) => unknown): string[] {
  const read = new Set<string>();
  load(new Proxy({}, { get: (_target, key) => (typeof key === "string" && /^[A-Z]/.test(key) ? void read.add(key) : undefined) }));
  return [...read].sort();
}

const example = readFileSync(new URL("../../../.env.example", import.meta.url), "utf8");
const lines = [...example.matchAll(/^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$/gm)].map(([, commented, key, value]) => ({
  key: key!,
  commented: Boolean(commented),
  value: value!.replace(/^"(.*)"$/, "$1"),
}));
const documented = new Set(lines.map((l) => l.key));
const apiKeys = schemaKeys(loadApiEnv);
const workerKeys = schemaKeys(loadWorkerEnv);

const asText = (value: unknown) => (Array.isArray(value) ? value.join(",") : String(value));

describe(".env.example", () => {
  it("lists every variable of the API's and the worker's env schema", () => {
    expect(apiKeys.length).toBeGreaterThan(20);
    expect(workerKeys.length).toBeGreaterThan(20);
    expect(apiKeys.filter((k) => !documented.has(k))).toEqual([]);
    expect(workerKeys.filter((k) => !documented.has(k))).toEqual([]);
  });

  it("lists nothing that no app reads", () => {
    const known = new Set([...apiKeys, ...workerKeys, ...START_SCRIPT_KEYS]);
    expect([...documented].filter((k) => !known.has(k))).toEqual([]);
  });

  it("leaves commented out what npm start decides when it is unset", () => {
    for (const key of START_SCRIPT_DECIDES) expect(lines.filter((l) => l.key === key).map((l) => l.commented), key).toEqual([true]);
  });

  it("gives each uncommented variable, and each one npm start decides, its real default in both apps that read it", () => {
    const api = loadApiEnv({}) as Record<string, unknown>;
    const worker = loadWorkerEnv({}) as Record<string, unknown>;
    const shown = lines.filter((l) => (!l.commented || START_SCRIPT_DECIDES.includes(l.key)) && !START_SCRIPT_KEYS.includes(l.key));
    for (const { key, commented, value } of shown) {
      for (const [name, parsed, keys] of [["api", api, apiKeys], ["worker", worker, workerKeys]] as const) {
        if (!keys.includes(key)) continue;
        expect.soft(parsed[key], `${key} has no default in the ${name}: comment it out`).not.toBeUndefined();
        expect.soft({ key, commented, value: asText(parsed[key]) }, `${key} in the ${name}`).toEqual({ key, commented, value });
      }
    }
  });
});
