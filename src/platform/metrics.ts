import client from 'prom-client';
import type { Database } from './db/index.ts';

/** Prometheus metrics of one process: HTTP, the database pool, and counters modules add. */
export class Metrics {
  readonly registry = new client.Registry();
  readonly httpRequests: client.Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: client.Histogram<'method' | 'route'>;
  readonly httpEarlyAnswers: client.Counter<'method' | 'route' | 'status'>;

  constructor(database: Database) {
    client.collectDefaultMetrics({ register: this.registry, prefix: 'haihe_' });
    this.httpRequests = new client.Counter({
      name: 'haihe_http_requests_total',
      help: 'HTTP requests answered, by route and status',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    });
    this.httpDuration = new client.Histogram({
      name: 'haihe_http_request_duration_seconds',
      help: 'Time to answer an HTTP request',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
    this.httpEarlyAnswers = new client.Counter({
      name: 'haihe_http_early_answers_total',
      help: 'HTTP requests answered from memory before routing (also counted in haihe_http_requests_total)',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    });
    new client.Gauge({
      name: 'haihe_database_pool_connections',
      help: 'Database pool connections by state',
      labelNames: ['state'],
      registers: [this.registry],
      collect() {
        const stats = database.poolStats();
        this.set({ state: 'total' }, stats.total);
        this.set({ state: 'idle' }, stats.idle);
        this.set({ state: 'waiting' }, stats.waiting);
      },
    });
  }

  /** A counter owned by a module, e.g. haihe_subsidies_claims_total. */
  counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): client.Counter<L> {
    const existing = this.registry.getSingleMetric(name);
    if (existing) return existing as client.Counter<L>;
    return new client.Counter({ name, help, labelNames: [...labelNames], registers: [this.registry] });
  }

  histogram(name: string, help: string, buckets: number[]): client.Histogram<string> {
    const existing = this.registry.getSingleMetric(name);
    if (existing) return existing as client.Histogram<string>;
    return new client.Histogram({ name, help, buckets, registers: [this.registry] });
  }

  gauge<L extends string>(name: string, help: string, labelNames: readonly L[] = []): client.Gauge<L> {
    const existing = this.registry.getSingleMetric(name);
    if (existing) return existing as client.Gauge<L>;
    return new client.Gauge({ name, help, labelNames: [...labelNames], registers: [this.registry] });
  }
}
