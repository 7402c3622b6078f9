import { BoundedMap } from '../common/bounded-map.js';
import type { Principal } from '../core/types.js';
import { emptyCounters, windowIndexes, type UsageDelta, type UsageDocument, type UsageStore, type WindowCounters } from './usage.js';

interface CallerWindows {
  minuteIndex: number;
  minute: WindowCounters;
  dayIndex: number;
  day: WindowCounters;
}

/** In-process counters by Principal.id: right for one replica; bounded by caller count (least recently used forgotten). */
export class MemoryUsageStore implements UsageStore {
  private readonly callers: BoundedMap<string, CallerWindows>;

  constructor(maxCallers: number, private readonly now: () => number) {
    this.callers = new BoundedMap(maxCallers);
  }

  record(principalId: string, delta: UsageDelta): Promise<void> {
    const w = this.current(principalId);
    for (const counters of [w.minute, w.day]) {
      counters.tokens += delta.tokens;
      counters.requests += delta.requests;
      counters.cost_usd += delta.costUsd;
    }
    this.callers.set(principalId, w);
    return Promise.resolve();
  }

  usageFor(principal: Principal): UsageDocument {
    const w = this.current(principal.id);
    return { minute: { ...w.minute }, day: { ...w.day } };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** The caller's windows, with any that have ended started afresh. */
  private current(principalId: string): CallerWindows {
    const { minute, day } = windowIndexes(this.now());
    const w = this.callers.get(principalId) ?? { minuteIndex: minute, minute: emptyCounters(), dayIndex: day, day: emptyCounters() };
    if (w.minuteIndex !== minute) Object.assign(w, { minuteIndex: minute, minute: emptyCounters() });
    if (w.dayIndex !== day) Object.assign(w, { dayIndex: day, day: emptyCounters() });
    return w;
  }
}
