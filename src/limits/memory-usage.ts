import { BoundedMap } from '../common/bounded-map.js';
import type { Principal } from '../core/types.js';
import { emptyCounters, windowIndexes, type UsageDelta, type UsageDocument, type UsageStore, type WindowCounters } from './usage.js';

interface SubjectWindows {
  minuteIndex: number;
  minute: WindowCounters;
  dayIndex: number;
  day: WindowCounters;
}

/** In-process counters: right for one replica; bounded by subject count (least recently used forgotten). */
export class MemoryUsageStore implements UsageStore {
  private readonly subjects: BoundedMap<string, SubjectWindows>;

  constructor(maxSubjects: number, private readonly now: () => number) {
    this.subjects = new BoundedMap(maxSubjects);
  }

  record(subject: string, delta: UsageDelta): Promise<void> {
    const w = this.current(subject);
    for (const counters of [w.minute, w.day]) {
      counters.tokens += delta.tokens;
      counters.requests += delta.requests;
      counters.cost_usd += delta.costUsd;
    }
    this.subjects.set(subject, w);
    return Promise.resolve();
  }

  usageFor(principal: Principal): Promise<UsageDocument> {
    const w = this.current(principal.subject);
    return Promise.resolve({ minute: { ...w.minute }, day: { ...w.day } });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** The subject's windows, with any that have ended started afresh. */
  private current(subject: string): SubjectWindows {
    const { minute, day } = windowIndexes(this.now());
    const w = this.subjects.get(subject) ?? { minuteIndex: minute, minute: emptyCounters(), dayIndex: day, day: emptyCounters() };
    if (w.minuteIndex !== minute) Object.assign(w, { minuteIndex: minute, minute: emptyCounters() });
    if (w.dayIndex !== day) Object.assign(w, { dayIndex: day, day: emptyCounters() });
    return w;
  }
}
