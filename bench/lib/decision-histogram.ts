/** Cumulative bucket counts of tollgate_decision_duration_seconds for one gateway, by upper bound (s). */
export type Buckets = Map<number, number>;

export async function scrapeDecisionBuckets(adminPort: number, gateway: string): Promise<Buckets> {
  const text = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
  const buckets: Buckets = new Map();
  const pattern = /^tollgate_decision_duration_seconds_bucket\{(.*)\} (\d+(?:\.\d+)?)$/gm;
  for (const m of text.matchAll(pattern)) {
    const labels = m[1];
    if (!labels.includes(`gateway="${gateway}"`)) continue;
    const le = /le="([^"]+)"/.exec(labels)![1];
    buckets.set(le === '+Inf' ? Infinity : Number(le), Number(m[2]));
  }
  return buckets;
}

export interface ServerSideQuantile {
  count: number;
  /** Quantile estimated like Prometheus histogram_quantile (linear within the bucket), ms. */
  estimateMs: number;
  /** Upper bound of the bucket the quantile falls in, ms: a guaranteed bound. */
  bucketBoundMs: number;
  /** Share of decisions that took at most 1 ms. */
  withinOneMs: number;
}

/** The q-quantile of the decisions observed between two scrapes. */
export function quantileBetween(before: Buckets, after: Buckets, q: number): ServerSideQuantile {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const delta = bounds.map((le) => (after.get(le) ?? 0) - (before.get(le) ?? 0));
  const count = delta[delta.length - 1] ?? 0;
  const rank = q * count;
  let i = delta.findIndex((c) => c >= rank);
  if (i < 0) i = bounds.length - 1;
  const upper = bounds[i];
  const lower = i === 0 ? 0 : bounds[i - 1];
  const below = i === 0 ? 0 : delta[i - 1];
  const inBucket = delta[i] - below;
  const estimate = upper === Infinity ? lower : lower + (upper - lower) * (inBucket > 0 ? (rank - below) / inBucket : 1);
  const oneMs = bounds.indexOf(0.001);
  return {
    count,
    estimateMs: estimate * 1000,
    bucketBoundMs: upper * 1000,
    withinOneMs: count > 0 && oneMs >= 0 ? delta[oneMs] / count : NaN,
  };
}
