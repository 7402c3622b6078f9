import type { AuthzRequest, Delegation, LlmFacts, Principal } from './types.js';

/** Version tag of the policy input document (docs/policy-input.md). Bump on breaking change. */
export const POLICY_INPUT_VERSION = 'tollgate.input/v1';

export interface PolicyInputContext {
  req: AuthzRequest;
  principal: Principal | null;
  delegation?: Delegation;
  llm: LlmFacts;
  usage?: Record<string, unknown>;
  /** What admission found (docs/limits.md); absent when no limit applies. */
  limits?: Record<string, unknown>;
  nowMs: number;
  /** Lower-case header names that carry credentials; removed before policy sees the headers. */
  credentialHeaders: ReadonlySet<string>;
}

/** input.limits when no limit applies to the request. */
const NO_LIMITS = Object.freeze({ admitted: true, exceeded: null, estimate: null, store: null, applied: [] });

export function buildPolicyInput(ctx: PolicyInputContext): Record<string, unknown> {
  const { req, principal, delegation, llm } = ctx;
  return {
    version: POLICY_INPUT_VERSION,
    gateway: req.gateway,
    request: {
      method: req.method,
      // The normalised path (what upstreams route on), so path rules in policy cannot be dodged by spelling.
      path: llm.path ?? req.path,
      raw_path: req.path,
      query: req.query,
      query_params: parseQuery(req.query),
      host: req.host,
      scheme: req.scheme,
      headers: withoutCredentials(req.headers, ctx.credentialHeaders),
      source: { address: req.source.address ?? null, principal: req.source.principal ?? null },
      context: req.context ?? {},
      metadata: req.gatewayMetadata ?? {},
      body_truncated: req.bodyTruncated === true,
    },
    identity: identityDocument(principal),
    delegation: delegation
      ? { user: identityDocument(delegation.user), chain: delegation.chain }
      : null,
    llm: {
      endpoint_known: llm.endpointKnown,
      api: llm.api,
      operation: llm.operation,
      model_call: llm.modelCall,
      model: llm.model,
      models: llm.models,
      model_unknown: llm.modelUnknown,
      stream: llm.stream,
      max_tokens: llm.maxTokens,
      tools: llm.tools,
      message_count: llm.messageCount,
      findings: llm.findings,
    },
    // One call's document per evaluation (core/mcp/mcp-input.ts); null when the request is no MCP call.
    mcp: null,
    usage: ctx.usage ?? {},
    limits: ctx.limits ?? NO_LIMITS,
    time: { now_ns: ctx.nowMs * 1e6, now: new Date(ctx.nowMs).toISOString() },
  };
}

export function identityDocument(p: Principal | null): Record<string, unknown> {
  if (!p) return { authenticated: false, method: 'none', id: null, subject: null, scopes: [], models: [], tools: [], groups: [] };
  return {
    authenticated: p.kind !== 'none',
    method: p.kind,
    id: p.id,
    subject: p.subject,
    key_id: p.keyId ?? null,
    issuer: p.issuer ?? null,
    scopes: p.scopes,
    models: p.models,
    tools: p.tools ?? [],
    groups: p.groups,
    tenant: p.tenant ?? null,
    claims: p.claims ?? {},
    workload: p.workload
      ? { spiffe_id: p.workload.spiffeId ?? null, trust_domain: p.workload.trustDomain ?? null, path: p.workload.path ?? null, source: p.workload.source }
      : null,
  };
}

function withoutCredentials(headers: Record<string, string>, credentialHeaders: ReadonlySet<string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in headers) {
    if (credentialHeaders.has(name) || name.startsWith('x-tollgate-')) continue;
    out[name] = headers[name];
  }
  return out;
}

function parseQuery(query: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (query === '') return out;
  for (const [k, v] of new URLSearchParams(query)) (out[k] ??= []).push(v);
  return out;
}
