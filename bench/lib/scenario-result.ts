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
  /**
   * Server CPU time per request, µs: unlike req/s it barely moves when other work shares the
   * machine, so it is the figure to compare across noisy runs.
   */
  cpuUsPerRequest?: number;
  /** Machine CPU busy in the second before the run, %: the noise from other work. */
  backgroundCpu?: number;
  serverDecisionP99?: ServerSideQuantile;
  /** Scenario-specific facts (reload count, keys loaded, ...). */
  facts?: Record<string, string | number | boolean>;
}
