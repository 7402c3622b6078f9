import type { PolicyConfig, RemoteBundleConfig } from '../config/policy-schema.js';
import type { PolicyStoreOptions } from './policy-store.js';

/** Where a store reads its bundles: the file, or the bundle server of policy.remote (or policy.shadow.remote). */
export function policySource(
  bundlePath: string, remote: RemoteBundleConfig | null, policy: Pick<PolicyConfig, 'poll_interval_ms'>,
): Pick<PolicyStoreOptions, 'bundlePath' | 'remote' | 'pollIntervalMs'> {
  return {
    bundlePath,
    pollIntervalMs: policy.poll_interval_ms,
    remote: remote ? {
      url: remote.url,
      headers: remote.headers,
      tokenFile: remote.token_file,
      tls: remote.tls,
      timeoutMs: remote.timeout_seconds * 1000,
      minDelayMs: remote.polling.min_delay_seconds * 1000,
      maxDelayMs: remote.polling.max_delay_seconds * 1000,
      persistDir: remote.persist_dir,
    } : undefined,
  };
}
