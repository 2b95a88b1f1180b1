// Prometheus metrics (prom-client), on a registry of this BFF's own so several can share a process.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { Store } from "./store/types";

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics(store: Store, now: () => number = Date.now) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "callback_widget_" });

  const httpRequests = new Counter({
    name: "callback_widget_http_requests_total",
    help: "HTTP requests answered, by route and status",
    labelNames: ["method", "route", "status"] as const,
    registers: [registry],
  });
  const callbackRequests = new Counter({
    name: "callback_widget_callback_requests_total",
    help: "Callback requests by outcome of the API call (scheduled, queued, refused, rate_limited, failed, replayed)",
    labelNames: ["outcome"] as const,
    registers: [registry],
  });
  const deliveryAttempts = new Counter({
    name: "callback_widget_delivery_attempts_total",
    help: "Outbox delivery attempts by result (scheduled, retry, failed, expired, cancelled, lost-claim, error)",
    labelNames: ["result"] as const,
    registers: [registry],
  });
  const deliveryFailures = new Counter({
    name: "callback_widget_delivery_failures_total",
    help: "Requests marked failed, by cause (refused, attempts_exhausted, undecryptable, unknown_profile)",
    labelNames: ["cause"] as const,
    registers: [registry],
  });
  const dataverseDuration = new Histogram({
    name: "callback_widget_dataverse_request_duration_seconds",
    help: "Latency of calls to Entra ID and Dataverse, by operation and outcome",
    labelNames: ["operation", "outcome"] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const outboxDepth = new Gauge({ name: "callback_widget_outbox_depth", help: "Requests waiting in the outbox", registers: [registry] });
  const outboxAge = new Gauge({ name: "callback_widget_outbox_oldest_age_seconds", help: "Age of the oldest request waiting in the outbox", registers: [registry] });
  const byStatus = new Gauge({ name: "callback_widget_callbacks", help: "Recorded callback requests by status", labelNames: ["status"] as const, registers: [registry] });

  return {
    registry,
    httpRequests,
    callbackRequests,
    deliveryAttempts,
    deliveryFailures,
    dataverseDuration,
    /** Reads the outbox gauges from the store, just before a scrape. */
    async refreshOutbox(): Promise<void> {
      const stats = await store.outboxStats();
      outboxDepth.set(stats.queued);
      outboxAge.set(stats.oldestQueuedAt === undefined ? 0 : Math.max(0, (now() - stats.oldestQueuedAt) / 1000));
      for (const [status, count] of Object.entries(stats.byStatus)) byStatus.set({ status }, count);
    },
  };
}
