import { z } from 'zod';
import { endpointPathProblem } from '../core/endpoints.js';

/** MCP servers behind the gateway (docs/mcp.md). */
export const mcpSchema = z.strictObject({
  /**
   * Where MCP servers are served (normalised path patterns: literal segments, `{id}` for any one
   * segment). A JSON-RPC call anywhere else is an unknown endpoint, denied by the default policy, so
   * a JSON-RPC-shaped body cannot pass for an MCP call on an upstream route that is not one.
   */
  paths: z.array(z.string().superRefine((path, ctx) => {
    const problem = endpointPathProblem(path);
    if (problem !== null || path.includes('{model}') || path.includes('[')) ctx.addIssue({ code: 'custom', message: problem ?? 'an MCP path names no model and has no optional prefix' });
  })).default(['/mcp']),
  /** RFC 9728 protected resource metadata URL; named in the WWW-Authenticate challenge of MCP 401 and 403 answers. */
  resource_metadata_url: z.url({ protocol: /^https?$/ }).nullable().default(null),
});
