import type { Decision, McpFacts } from '../../core/types.js';

/**
 * JSON-RPC error codes of a refused MCP call. Tollgate's own are in the implementation-defined range
 * (-32000..-32019); a header/body mismatch carries the spec's HeaderMismatch (-32020), which MCP
 * 2026-07-28 servers send for the same refusal, so clients handle both alike.
 */
export const MCP_ERROR_CODES = {
  unauthenticated: -32001,
  forbidden: -32003,
  invalid: -32004,
  limited: -32009,
  unavailable: -32000,
  headerMismatch: -32020,
} as const;

function codeFor({ status, reason }: Decision): number {
  if (reason === 'mcp_header_mismatch') return MCP_ERROR_CODES.headerMismatch;
  if (status === 401) return MCP_ERROR_CODES.unauthenticated;
  if (status === 429) return MCP_ERROR_CODES.limited;
  if (status >= 500) return MCP_ERROR_CODES.unavailable;
  if (status === 403) return MCP_ERROR_CODES.forbidden;
  return MCP_ERROR_CODES.invalid;
}

/**
 * A deny of an MCP call as JSON-RPC: one error echoing the request's id, or for a batch one per
 * request (notifications have no id to echo; a batch of them gets one error with id null). `data`
 * carries the reason and the decision id an agent can report.
 */
export function mcpErrorBody(d: Decision, mcp: McpFacts): string {
  const error = (id: string | number | null) => ({
    jsonrpc: '2.0',
    id,
    error: { code: codeFor(d), message: d.denial?.message ?? d.reason, data: { reason: d.reason, decision_id: d.decisionId } },
  });
  if (!mcp.batch) return JSON.stringify(error(mcp.calls[0]?.id ?? null));
  const ids = mcp.calls.map((c) => c.id).filter((id) => id !== null);
  return JSON.stringify(ids.length > 0 ? ids.map(error) : [error(null)]);
}
