import type { LoadResult } from './load-result.js';
import type { ServerSideQuantile } from './decision-histogram.js';

export type ServerKind = 'bare' | 'tollgate' | 'opa';

export interface ScenarioResult {
  id: string;
  group: string;
  title: string;
  server: ServerKind;
  /** Undefined when the scenario could not be measured in this build (reason says why). */
  load?: LoadResult;
  notMeasured?: string;
  rssMiB?: number;
  peakRssMiB?: number;
  /** Machine CPU busy in the second before the run, %: the noise from other work. */
  backgroundCpu?: number;
  serverDecisionP99?: ServerSideQuantile;
  /** Scenario-specific facts (reload count, keys loaded, ...). */
  facts?: Record<string, string | number | boolean>;
}
