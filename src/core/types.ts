/**
 * The shared vocabulary of Tollgate. Every adapter decodes its gateway's dialect into an
 * AuthzRequest; the pipeline turns it into a Decision; the adapter encodes the Decision back.
 */

/** Which front door a request came through; a bounded set (it is a metrics label). */
export type GatewayKind =
  | 'native'
  | 'envoy_grpc'
  | 'envoy_http'
  | 'opa_data_api'
  | 'kong'
  | 'forward_auth'
  | 'litellm'
  | 'authzen';

export interface PeerInfo {
  /** Client address as the gateway saw it (IP, no port). */
  address?: string;
  /** mTLS principal of the peer (URI SAN such as spiffe://..., else subject) when the gateway verified one. */
  principal?: string;
  /** URL-encoded PEM of the peer certificate, when the gateway forwards it. */
  certificate?: string;
}

/** One canonical request, whatever gateway asked. Header names are lower case. */
export interface AuthzRequest {
  gateway: GatewayKind;
  method: string;
  /** Path without the query string, as sent (not decoded); core normalises it (core/request-path.ts). */
  path: string;
  /** Raw query string without the leading '?', '' when none. */
  query: string;
  host: string;
  scheme: string;
  /** Lower-case header names; repeated headers joined with ', '. Credentials are still present here. */
  headers: Record<string, string>;
  /** The body as the gateway parsed it (Kong's parsed_body, LiteLLM's hook, a native caller's object). */
  body?: unknown;
  /** The body's bytes as text when the gateway forwarded them unparsed; read by Content-Type in core. */
  rawBody?: string;
  /** The model a trusted proxy names in a header when it forwards no body (forward-auth model_header). */
  declaredModel?: string;
  /** True when the gateway says the body was cut short (Envoy partial body). */
  bodyTruncated?: boolean;
  source: PeerInfo;
  /** Address of the TCP peer that talked to Tollgate (the gateway itself); used for trusted-proxy checks. */
  transportPeer?: string;
  /** Envoy per-route context extensions and similar gateway-provided context. */
  context?: Record<string, string>;
  /** Gateway metadata (Envoy metadata_context, Kong service/route/consumer) passed to policy as-is. */
  gatewayMetadata?: Record<string, unknown>;
}

export type CredentialKind = 'api_key' | 'jwt' | 'mtls' | 'none';

/** Who is calling, once authenticated. */
export interface Principal {
  kind: CredentialKind;
  /**
   * The caller's identity key, unique across credential kinds and issuers: `api_key:<subject>`,
   * `mtls:<subject>`, `jwt:<issuer, % and # percent-encoded>#<subject>` (identity/principal-id.ts).
   * Grants and usage counters are keyed by it, never by the bare subject.
   */
  id: string;
  subject: string;
  /** API key id, or for a JWT `jwt_<16 hex>` derived from `id` (one per caller); never the secret itself. */
  keyId?: string;
  issuer?: string;
  scopes: string[];
  /** Model globs granted directly by the credential (API key scopes, JWT claim mapping). */
  models: string[];
  /** Tool globs granted directly by the credential (API key `tools`, `tool:<glob>` scopes); absent = none. */
  tools?: string[];
  groups: string[];
  tenant?: string;
  /** Verified JWT claims (never the token) for policy to read. */
  claims?: Record<string, unknown>;
  /** Workload identity parsed from a SPIFFE ID (mTLS or XFCC). */
  workload?: WorkloadIdentity;
  /** Verified credential expiry (epoch seconds), when it has one. */
  expiresAt?: number;
  /** Limits the credential itself carries (an API key's record, mapped JWT claims); docs/limits.md. */
  limits?: CallerLimits;
}

/** Requests and tokens a caller may use: `rpm`/`tpm` per minute, a token budget per period. */
export interface CallerLimits {
  rpm?: number;
  tpm?: number;
  token_budget?: { tokens: number; period: '1m' | '1h' | '1d' | '30d' | '1mo' };
}

export interface WorkloadIdentity {
  spiffeId?: string;
  trustDomain?: string;
  path?: string;
  /** Source of the identity: 'envoy_peer' (gRPC principal) or 'xfcc'. */
  source: 'envoy_peer' | 'xfcc';
}

/** The user an agent acts for, and the chain of actors (outermost first). */
export interface Delegation {
  user: Principal;
  chain: string[];
}

/** Facts read from an LLM API request: its endpoint and every model it can run. */
export interface LlmFacts {
  /** The normalised path the endpoint was matched on; null when the request was never read. */
  path: string | null;
  /** True when method + normalised path is in the endpoint catalogue. */
  endpointKnown: boolean;
  /** 'openai' | 'anthropic' | 'azure' | 'gemini' | 'vertex' | a configured api; null for an unknown endpoint. */
  api: string | null;
  /** e.g. 'chat.completions', 'embeddings', 'responses', 'messages', 'models' (listing). */
  operation: string | null;
  /** True when the endpoint invokes a model (so a model rule applies). */
  modelCall: boolean;
  /** The first of `models`, null when none is named. */
  model: string | null;
  /** Every model the request can make the upstream run (comma lists, fallbacks, batch entries). */
  models: string[];
  /** True when a model call may run a model the request does not name (unseen body, batch files). */
  modelUnknown: boolean;
  stream: boolean;
  maxTokens: number | null;
  tools: string[];
  messageCount: number;
  /** Secrets and PII found in the prompt or MCP arguments: kinds and counts, never the matched text (core/findings/). */
  findings: Finding[];
}

/** One kind of sensitive text and how often it occurs; `secret.*` or `pii.*`. */
export interface Finding {
  kind: string;
  count: number;
}

/** One JSON-RPC message of an MCP request (core/mcp/). */
export interface McpCall {
  /** 'unknown' when the body was not seen and the headers name no method. */
  kind: 'request' | 'notification' | 'response' | 'unknown';
  method: string | null;
  /** The JSON-RPC id, echoed in a deny; null for notifications and unseen bodies. */
  id: string | number | null;
  /** tools/call: the tool's name (null when unseen) and its argument names, never their values. */
  tool: { name: string | null; arguments: string[] } | null;
  /** resources/read (and subscribe/unsubscribe): the resource's URI. */
  resource: { uri: string | null } | null;
  /** prompts/get: the prompt's name. */
  prompt: { name: string | null } | null;
}

/** An MCP request: one call, or every call of a JSON-RPC batch (each must be allowed). */
export interface McpFacts {
  calls: McpCall[];
  batch: boolean;
  protocolVersion: string | null;
  /** Where the facts were read: the JSON-RPC body, or the Mcp-* headers alone (forward-auth). */
  source: 'body' | 'headers';
}

/** A deny as data; adapters format it (src/adapters/http/denial.ts). */
export interface Denial {
  /** The reason code the client sees (the `code` of Tollgate's error body). */
  code: string;
  message: string;
  /** A body the policy wrote, sent as it is instead of Tollgate's error body. */
  policyBody?: string;
  /**
   * A 401 asks for a Bearer credential; `error` says the one sent was refused (RFC 6750). An MCP deny
   * names the scopes that would allow it (`insufficient_scope`, RFC 6750 and the MCP authorization spec).
   */
  challenge?: { error?: 'invalid_token' | 'insufficient_scope'; scope?: string; resourceMetadata?: string };
}

/** The Tollgate answer, gateway-neutral. */
export interface Decision {
  decisionId: string;
  allow: boolean;
  /** HTTP status to give the client (200 on allow). */
  status: number;
  /** Stable reason code: 'allowed', 'unauthenticated', 'model_not_allowed', 'credential_invalid', ... */
  reason: string;
  /** Headers to set on the upstream request (allow) — includes Tollgate identity headers. */
  headers: Record<string, string>;
  /** Headers to add to the client response (allow or deny); a deny's Bearer challenge is in `denial`. */
  responseHeaders: Record<string, string>;
  /** Request headers the gateway should remove before forwarding upstream. */
  removeHeaders: string[];
  /** Why it denied, for each adapter to put into its own wire format; set on every deny (a Data API evaluation has none). */
  denial?: Denial;
  /** Extra policy-provided dynamic metadata (Envoy). */
  dynamicMetadata?: Record<string, unknown>;
  principal?: Principal;
  delegation?: Delegation;
  llm: LlmFacts;
  /** Set when the request is an MCP call: adapters then answer a deny as a JSON-RPC error. */
  mcp?: McpFacts;
  /** Bundle revision that decided. */
  policyRevision: string;
  /** Error code when the deny came from a failure rather than from policy. */
  errorCode?: string;
  durationMs: number;
  /** What an access question (AuthZEN) asked; the caller is `principal`. Absent for gateway requests. */
  access?: AccessFacts;
  /** policy.shadow: what the candidate bundle decided; set only when it disagrees with this decision. */
  shadow?: ShadowOutcome;
  /** policy.mode dry_run: the deny this allow stands in for. */
  dryRun?: { result: 'deny'; status: number; reason: string; errorCode?: string };
  /** log.include_input: the input policy evaluated (credentials already removed), for `tollgate policy replay`. */
  policyInput?: Record<string, unknown>;
}

/** The identifiers of an access question, for the audit record (core/access-evaluation.ts). */
export interface AccessFacts {
  subjectType: string;
  subjectId: string;
  action: string;
  resourceType: string;
  resourceId: string;
  tenant: string | null;
}

export interface ShadowOutcome {
  result: 'allow' | 'deny';
  reason: string;
  revision: string;
}
