import cluster from "node:cluster";
import { randomUUID } from "node:crypto";
import { AggregatorRegistry, type Registry } from "prom-client";
import type { ApiEnv } from "../env";

/**
 * /metrics in an API cluster (API_WORKERS > 1): any worker may receive the scrape, but each only
 * counts what it served. The worker asks the primary, which collects every worker's registry with
 * prom-client's AggregatorRegistry (counters and histograms summed) and answers with the text.
 */
const REQUEST = "clientele:metrics-request";
const RESPONSE = "clientele:metrics-response";
/** A scrape waits this long for the primary (a worker that just died can hold up its collection). */
export const CLUSTER_METRICS_TIMEOUT_MS = 2_000;

type MetricsRequest = { type: typeof REQUEST; id: string };
type MetricsResponse = { type: typeof RESPONSE; id: string; text?: string; error?: string };

const isMessage = <T extends { type: string }>(message: unknown, type: T["type"]): message is T =>
  typeof message === "object" && message !== null && (message as { type?: unknown }).type === type;

/** This process is a worker of the API's own cluster primary (not, say, of a process manager's). */
export const inApiCluster = (env: Pick<ApiEnv, "API_WORKERS">) => env.API_WORKERS > 1 && cluster.isWorker;

/** Primary: answers each worker's request with every worker's metrics, aggregated. */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on("message", (worker, message: unknown) => {
    if (!isMessage<MetricsRequest>(message, REQUEST)) return;
    const reply = (response: MetricsResponse) => {
      // The worker may have died meanwhile; its scrape has failed with it.
      if (worker.isConnected()) worker.send(response, undefined, () => undefined);
    };
    aggregator.clusterMetrics().then(
      (text) => reply({ type: RESPONSE, id: message.id, text }),
      (error: Error) => reply({ type: RESPONSE, id: message.id, error: error.message }),
    );
  });
}

/**
 * Worker: offers this registry to the primary's collections and returns a reader of the aggregate.
 * The reader rejects when the primary does not answer within CLUSTER_METRICS_TIMEOUT_MS.
 */
export function clusterMetricsReader(registry: Registry): () => Promise<string> {
  // Constructing one installs prom-client's listener that answers the primary's collection requests.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([registry]);
  const waiting = new Map<string, (response: MetricsResponse) => void>();
  process.on("message", (message: unknown) => {
    if (isMessage<MetricsResponse>(message, RESPONSE)) waiting.get(message.id)?.(message);
  });
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = randomUUID();
      const settle = (error: Error | null, text?: string) => {
        clearTimeout(timer);
        waiting.delete(id);
        if (error) reject(error);
        else resolve(text ?? "");
      };
      const timer = setTimeout(() => settle(new Error(`the cluster primary did not answer within ${CLUSTER_METRICS_TIMEOUT_MS} ms`)), CLUSTER_METRICS_TIMEOUT_MS);
      waiting.set(id, (response) => settle(response.text === undefined ? new Error(response.error ?? "no metrics") : null, response.text));
      const request: MetricsRequest = { type: REQUEST, id };
      process.send!(request, undefined, {}, (error) => {
        if (error) settle(error);
      });
    });
}
