import { invalid, MCP_METHOD } from './json-rpc.js';

/** What the MCP 2026-07-28 standard headers say about the request. */
export interface McpHeaders {
  method?: string;
  /** `Mcp-Name`: params.name of tools/call and prompts/get, params.uri of resources/read. */
  name?: string;
  protocolVersion?: string;
}

/**
 * Reads `Mcp-Method`, `Mcp-Name` and `MCP-Protocol-Version`; undefined when none is present.
 * Headers arrive lower case with repeats joined by ', ', so a method or name holding a comma was
 * sent twice (or forged beside the client's): refused, never guessed.
 */
export function readMcpHeaders(headers: Record<string, string>): McpHeaders | undefined {
  const method = headers['mcp-method'];
  const name = headers['mcp-name'];
  const version = headers['mcp-protocol-version'];
  if (method === undefined && name === undefined && version === undefined) return undefined;
  const out: McpHeaders = {};
  if (method !== undefined) {
    if (!MCP_METHOD.test(method)) throw invalid('Mcp-Method is not one method name');
    out.method = method;
  }
  if (name !== undefined) {
    if (method === undefined) throw invalid('Mcp-Name without Mcp-Method');
    out.name = decodedValue(name);
  }
  if (version !== undefined) {
    if (!/^[\x21-\x2b\x2d-\x7e]{1,32}$/.test(version)) throw invalid('MCP-Protocol-Version is not one version string');
    out.protocolVersion = version;
  }
  return out;
}

/** Non-ASCII values are sent as `=?base64?<base64 of UTF-8>?=` (MCP 2026-07-28 transports). */
function decodedValue(value: string): string {
  const encoded = /^=\?base64\?([A-Za-z0-9+/]*={0,2})\?=$/.exec(value);
  if (!encoded) {
    if (value.startsWith('=?')) throw invalid('Mcp-Name is a malformed encoded value');
    return value;
  }
  const decoded = Buffer.from(encoded[1], 'base64').toString('utf8');
  if (decoded.includes('\uFFFD') || decoded === '') throw invalid('Mcp-Name does not decode to UTF-8 text');
  return decoded;
}
