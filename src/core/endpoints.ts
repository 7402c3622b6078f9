import type { Endpoint, EndpointSpec } from './endpoint-catalogue.js';

type SegmentMatcher =
  | { kind: 'literal'; text: string }
  | { kind: 'any' }
  | { kind: 'model' }
  | { kind: 'model_action'; actions: ReadonlySet<string> };

interface CompiledEndpoint {
  segments: SegmentMatcher[];
  spec: EndpointSpec;
}

/** Matches a method and normalised path segments against the catalogue; first listed entry wins. */
export class EndpointMatcher {
  /** Keyed by "METHOD segment-count": a request is compared with a handful of entries at most. */
  private readonly byShape = new Map<string, CompiledEndpoint[]>();

  constructor(specs: readonly EndpointSpec[]) {
    for (const spec of specs) {
      const methods = spec.method === 'GET' ? ['GET', 'HEAD'] : [spec.method.toUpperCase()];
      for (const variant of expandOptionalPrefixes(spec.path)) {
        const segments = variant.split('/').filter((s) => s !== '').map(compileSegment);
        for (const method of methods) {
          const key = `${method} ${segments.length}`;
          const list = this.byShape.get(key) ?? [];
          list.push({ segments, spec });
          this.byShape.set(key, list);
        }
      }
    }
  }

  match(method: string, segments: readonly string[]): Endpoint | null {
    for (const candidate of this.byShape.get(`${method} ${segments.length}`) ?? []) {
      const pathModel = matchSegments(candidate.segments, segments);
      if (pathModel === undefined) continue;
      const { api, operation, model } = candidate.spec;
      return { api, operation, modelCall: model != null, modelSource: model ?? null, pathModel };
    }
    return null;
  }
}

/** undefined: no match; otherwise the model segment's value (null when the pattern has none). */
function matchSegments(pattern: readonly SegmentMatcher[], segments: readonly string[]): string | null | undefined {
  let model: string | null = null;
  for (let i = 0; i < pattern.length; i++) {
    const m = pattern[i];
    const segment = segments[i];
    if (m.kind === 'literal') {
      if (segment.toLowerCase() !== m.text) return undefined;
    } else if (m.kind === 'model') {
      model = segment;
    } else if (m.kind === 'model_action') {
      const colon = segment.lastIndexOf(':');
      if (colon < 1 || !m.actions.has(segment.slice(colon + 1).toLowerCase())) return undefined;
      model = segment.slice(0, colon);
    }
  }
  return model;
}

function compileSegment(text: string): SegmentMatcher {
  if (text === '{model}') return { kind: 'model' };
  const action = /^\{model\}:(.+)$/.exec(text);
  if (action) return { kind: 'model_action', actions: new Set(action[1].toLowerCase().split('|')) };
  if (/^\{[a-z_]+\}$/.test(text)) return { kind: 'any' };
  return { kind: 'literal', text: text.toLowerCase() };
}

/** "[/openai][/v1]/chat" -> "/openai/v1/chat", "/openai/chat", "/v1/chat", "/chat". */
function expandOptionalPrefixes(path: string): string[] {
  const optional = /^\[([^\]]+)\]/.exec(path);
  if (!optional) return [path];
  const rest = expandOptionalPrefixes(path.slice(optional[0].length));
  return [...rest.map((r) => optional[1] + r), ...rest];
}

/** Checks an operator-supplied path pattern (config `endpoints.extra`); returns a problem or null. */
export function endpointPathProblem(path: string): string | null {
  const body = path.replace(/^(?:\[\/[^\]/[]+\])+/, '');
  if (!body.startsWith('/')) return 'must start with / (after optional [/prefix] groups)';
  for (const segment of body.slice(1).split('/')) {
    if (segment === '') return 'has an empty segment';
    if (segment.startsWith('{') && !/^\{[a-z_]+\}(?::[a-z0-9_|]+)?$/i.test(segment)) return `segment "${segment}" is not {name} or {model}:action`;
    if (!segment.startsWith('{') && !/^[A-Za-z0-9_\-:@~+,=.]+$/.test(segment)) return `segment "${segment}" has characters a normalised path never holds`;
  }
  return null;
}
