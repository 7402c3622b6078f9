import type { Principal } from '../core/types.js';
import type { UsageDelta, UsageDocument, UsageStore } from './usage.js';

/**
 * limits.on_store_failure: local_fallback covers the usage counters too (they share the Redis):
 * while Redis fails, outcomes are counted and input.usage is read on this replica alone.
 */
export class FallbackUsageStore implements UsageStore {
  constructor(private readonly shared: UsageStore, private readonly local: UsageStore, private readonly onError: (err: unknown) => void) {}

  async record(principalId: string, delta: UsageDelta): Promise<void> {
    try {
      await this.shared.record(principalId, delta);
    } catch (err) {
      this.onError(err);
      await this.local.record(principalId, delta);
    }
  }

  async usageFor(principal: Principal): Promise<UsageDocument> {
    try {
      return await this.shared.usageFor(principal);
    } catch (err) {
      this.onError(err);
      return this.local.usageFor(principal);
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.shared.close(), this.local.close()]);
  }
}
