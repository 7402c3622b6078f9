import type { PolicyVerdict } from '../decision.js';
import type { McpCall, McpFacts } from '../types.js';

/**
 * Evaluates the policy once per call, each time with `input.mcp` describing that call, so a policy
 * written for single calls cannot be bypassed by a batch: the first deny decides; when every call is
 * allowed, the first call's verdict (its headers) stands.
 */
export function evaluateCalls(
  input: Record<string, unknown>, mcp: McpFacts | null, evaluate: (input: Record<string, unknown>) => PolicyVerdict,
): PolicyVerdict {
  if (!mcp) return evaluate(input);
  let first: PolicyVerdict | undefined;
  for (const call of mcp.calls) {
    const verdict = evaluate({ ...input, mcp: mcpDocument(mcp, call) });
    if (!verdict.allow) return verdict;
    first ??= verdict;
  }
  return first as PolicyVerdict;
}

/** `input.mcp` (docs/policy-input.md): one call, argument names but never their values. */
export function mcpDocument(mcp: McpFacts, call: McpCall): Record<string, unknown> {
  return {
    kind: call.kind,
    method: call.method,
    id: call.id,
    tool: call.tool ? { name: call.tool.name, arguments: call.tool.arguments } : null,
    resource: call.resource ? { uri: call.resource.uri } : null,
    prompt: call.prompt ? { name: call.prompt.name } : null,
    protocol_version: mcp.protocolVersion,
    batch: mcp.batch,
    batch_size: mcp.calls.length,
    source: mcp.source,
  };
}
