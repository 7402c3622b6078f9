/** One load run as measured by the load generator (latencies in milliseconds). */
export interface LoadResult {
  tool: string;
  durationS: number;
  connections: number;
  requests: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  /** Socket errors and timeouts. */
  errors: number;
  non2xx: number;
  /** 2xx answers whose body did not contain the expected text (e.g. a deny where an allow was due). */
  unexpected: number;
}

/** The HTTP request a scenario sends over and over. */
export interface HttpRequestSpec {
  url: string;
  method: 'POST' | 'GET';
  headers: Record<string, string>;
  body: string;
  /** Every 2xx body must contain this text. */
  expect: string;
}
