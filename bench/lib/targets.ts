import type { ScenarioResult } from './scenario-result.js';

export interface TargetCheck {
  target: string;
  measured: string;
  /** undefined: not measurable in this run (a scenario is missing). */
  met?: boolean;
}

type Find = (id: string) => ScenarioResult | undefined;

const pct = (x: number) => `${(x * 100).toFixed(0)}%`;

/** The targets, each judged on figures from this run only. */
export function checkTargets(find: Find): TargetCheck[] {
  const bare = find('bare')?.load;
  const ratio = (id: string, min: number, target: string): TargetCheck => {
    const load = find(id)?.load;
    if (!bare || !load) return { target, measured: `not measured (${id} or bare missing)` };
    const r = load.rps / bare.rps;
    return { target, measured: `${pct(r)} of bare (${Math.round(load.rps)} / ${Math.round(bare.rps)} req/s)`, met: r >= min };
  };
  const checks = [
    ratio('native-api-key', 0.5, 'native API with API key >= 50% of bare node:http req/s'),
    ratio('jwt-rs256-cache', 0.4, 'JWT RS256 with verified-token cache >= 40% of bare'),
    ratio('jwt-es256-cache', 0.4, 'JWT ES256 with verified-token cache >= 40% of bare'),
  ];
  const opa = find('opa-server')?.load;
  const dataApi = find('tollgate-data-api')?.load;
  const opaTarget = "Tollgate Data API >= 1.0x OPA server req/s, p99 no worse";
  checks.push(opa && dataApi
    ? {
      target: opaTarget,
      measured: `${(dataApi.rps / opa.rps).toFixed(2)}x req/s, p99 ${dataApi.p99Ms.toFixed(2)} vs ${opa.p99Ms.toFixed(2)} ms`,
      met: dataApi.rps >= opa.rps && dataApi.p99Ms <= opa.p99Ms,
    }
    : { target: opaTarget, measured: 'not measured (opa-server or tollgate-data-api missing)' });
  const half = find('native-api-key-half-peak')?.serverDecisionP99;
  checks.push(half
    ? {
      target: 'server-side decision time p99 < 1 ms at half of peak load',
      measured: `p99 ~${half.estimateMs.toFixed(3)} ms (bucket <= ${half.bucketBoundMs} ms; ${(half.withinOneMs * 100).toFixed(2)}% of ${half.count} decisions <= 1 ms)`,
      met: half.bucketBoundMs <= 1,
    }
    : { target: 'server-side decision time p99 < 1 ms at half of peak load', measured: 'not measured' });
  checks.push(jsonFloorRatio(find));
  checks.push(grpcCheckCpu(find));
  checks.push(...FEATURES.map(([id, feature]) => featureCost(find, id, feature)));
  checks.push(servedCostGrowth(find));
  const keys = find('keys-100000');
  checks.push(keys
    ? {
      target: 'RSS < 150 MB with 100k keys',
      measured: `${keys.rssMiB!.toFixed(0)} MiB after load (${(keys.rssMiB! * 1.048576).toFixed(0)} MB), peak ${keys.peakRssMiB!.toFixed(0)} MiB`,
      met: keys.rssMiB! * 1.048576 < 150,
    }
    : { target: 'RSS < 150 MB with 100k keys', measured: 'not measured' });
  return checks;
}

/**
 * CPU per decision once every allow evicts from the recent-decisions memory, against the same server
 * before: judged only when the early run ended before the memory was full (else it measured nothing early).
 */
function servedCostGrowth(find: Find): TargetCheck {
  const target = 'CPU per decision after 3x remember_decisions served <= 1.5x before the memory was full';
  const early = find('served-early');
  const late = find('served-late');
  if (!early?.cpuUsPerRequest || !late?.cpuUsPerRequest) return { target, measured: 'not measured' };
  const ratio = late.cpuUsPerRequest / early.cpuUsPerRequest;
  const measured = `${ratio.toFixed(2)}x (${Math.round(late.cpuUsPerRequest)} vs ${Math.round(early.cpuUsPerRequest)} µs/req)`;
  const earlyServed = Number(early.facts?.decisions_served_after);
  if (!(earlyServed <= Number(early.facts?.remember_decisions))) return { target, measured: `${measured}; early run overran the memory (${earlyServed} served), not judged` };
  return { target, measured, met: ratio <= 1.5 };
}

/**
 * Issue 15's goal for the native path: at most twice the CPU per request of a bare JSON server. The
 * same server evaluating the policy in Wasm (bare-policy) shows how much of that budget the contract's
 * evaluator alone takes.
 */
function jsonFloorRatio(find: Find): TargetCheck {
  const target = 'native API CPU per request <= 2x a bare JSON server\'s (body read, JSON.parse, same-size answer)';
  const floor = find('bare-json')?.cpuUsPerRequest;
  const native = find('native-api-key')?.cpuUsPerRequest;
  if (!floor || !native) return { target, measured: 'not measured (bare-json or native-api-key missing)' };
  const ratio = native / floor;
  return { target, measured: `${ratio.toFixed(2)}x (${Math.round(native)} vs ${Math.round(floor)} µs/req)${floorNote(find('bare-policy')?.cpuUsPerRequest, native, floor)}`, met: ratio <= 2 };
}

/** Issue 15's goal for Envoy gRPC: at most 150 µs of server CPU per Check on this machine. */
function grpcCheckCpu(find: Find): TargetCheck {
  const target = 'Envoy gRPC Check CPU per call <= 150 µs';
  const cpu = find('envoy-grpc')?.cpuUsPerRequest;
  if (!cpu) return { target, measured: 'not measured (envoy-grpc missing)' };
  const floor = find('bare-grpc-policy')?.cpuUsPerRequest;
  const floorText = floor ? `; bare node:http2 with the same Wasm evaluation: ${Math.round(floor)} µs, Tollgate ${(cpu / floor).toFixed(2)}x that` : '';
  return { target, measured: `${Math.round(cpu)} µs/Check${floorText}`, met: cpu <= 150 };
}

/** What the Wasm floor (bare-policy) says about a ratio to bare-json: the part of it no Tollgate code is in. */
function floorNote(policyFloor: number | undefined, native: number, jsonFloor: number): string {
  if (!policyFloor) return '';
  return `; bare JSON + the same Wasm evaluation alone: ${(policyFloor / jsonFloor).toFixed(2)}x (${Math.round(policyFloor)} µs), Tollgate ${(native / policyFloor).toFixed(2)}x that`;
}

/** The features issue 15 asks to price: each adds < 10% to a native decision's CPU, or the analysis says why. */
const FEATURES: Array<[id: string, feature: string]> = [
  ['native-api-limits-memory', 'limits in memory'],
  ['native-api-shadow', 'a shadow bundle (sample 1.0)'],
  ['prompt-findings-4k', 'prompt findings on a 4 KiB prompt'],
  ['mcp-tools-call', 'an MCP tools/call'],
];

function featureCost(find: Find, id: string, feature: string): TargetCheck {
  const target = `${feature} adds < 10% CPU per decision to native-api-key`;
  const base = find('native-api-key')?.cpuUsPerRequest;
  const withFeature = find(id)?.cpuUsPerRequest;
  if (!base || !withFeature) return { target, measured: `not measured (${id} or native-api-key missing)` };
  const added = withFeature / base - 1;
  return { target, measured: `${added >= 0 ? '+' : ''}${pct(added)} (${Math.round(withFeature)} vs ${Math.round(base)} µs/req)`, met: added < 0.1 };
}
