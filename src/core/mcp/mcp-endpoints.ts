import type { EndpointSpec } from '../endpoint-catalogue.js';
import { MCP_API } from './mcp-facts.js';

/**
 * The Streamable HTTP transport's methods at each MCP path: POST carries JSON-RPC, GET opens the
 * server's event stream, DELETE ends a session. None runs a model.
 */
export function mcpEndpoints(paths: readonly string[]): EndpointSpec[] {
  return paths.flatMap((path) => ['POST', 'GET', 'DELETE'].map((method) => ({ method, path, api: MCP_API, operation: 'mcp' })));
}
