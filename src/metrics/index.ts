/**
 * src/metrics/: the Prometheus metrics and the /metrics route.
 * What other folders use of it; they import from here or from its types.ts, not from the modules behind.
 */
export { metricsHandler } from './metrics-route.ts';
export { METRICS_TOKEN_VARIABLE, parseMetricsToken } from './metrics-token.ts';
export { createMetrics } from './metrics.ts';
