import type { Decision, McpFacts } from '../types.js';

/**
 * Marks a decision as an MCP answer, so adapters send a deny as a JSON-RPC error (adapters/http/
 * mcp-error.ts), and gives a deny the challenge an MCP client acts on: a 401 points at the protected
 * resource metadata (RFC 9728) when configured; a 403 is `insufficient_scope` naming the scopes
 * (`tool:<name>`) that would allow the request, so the client can ask for them (step-up).
 */
export function answerAsMcp(decision: Decision, mcp: McpFacts, resourceMetadataUrl: string | null): void {
  decision.mcp = mcp;
  const { denial } = decision;
  if (!denial) return;
  const resourceMetadata = resourceMetadataUrl ?? undefined;
  if (decision.status === 401) {
    denial.challenge = { ...denial.challenge, resourceMetadata };
  } else if (decision.status === 403) {
    const scopes = [...new Set(mcp.calls.flatMap((c) => (c.tool?.name ? [`tool:${c.tool.name}`] : [])))];
    denial.challenge = { error: 'insufficient_scope', scope: scopes.length > 0 ? scopes.join(' ') : undefined, resourceMetadata };
  }
}
