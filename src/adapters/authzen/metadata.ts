import type { AuthzenConfig } from '../../config/authzen-schema.js';

export const WELL_KNOWN = '/.well-known/authzen-configuration';

/** Each API's metadata key and its path under the PDP's base URL (the spec's default paths). */
export const ENDPOINTS = {
  access_evaluation_endpoint: '/access/v1/evaluation',
  access_evaluations_endpoint: '/access/v1/evaluations',
  search_subject_endpoint: '/access/v1/search/subject',
  search_resource_endpoint: '/access/v1/search/resource',
  search_action_endpoint: '/access/v1/search/action',
} as const;

/**
 * The PDP metadata. `policy_decision_point` is the identifier the well-known URL was built from:
 * the base URL, plus `/<tenant>` for a tenant's document, and every endpoint hangs under it.
 * Empty parameters are omitted, as the spec asks.
 */
export function pdpMetadata(baseUrl: string, tenant: string | null, config: AuthzenConfig): Record<string, unknown> {
  const pdp = tenant === null ? baseUrl : `${baseUrl}/${tenant}`;
  const metadata: Record<string, unknown> = { policy_decision_point: pdp };
  for (const [key, path] of Object.entries(ENDPOINTS)) metadata[key] = `${pdp}${path}`;
  if (config.capabilities.length > 0) metadata.capabilities = config.capabilities;
  return metadata;
}

/**
 * adapters.authzen.base_url, else the request's own origin: the Host header (as sent, when it is a
 * plain host[:port]) with https only when a trusted proxy says so. Null when the Host is unusable.
 */
export function baseUrlOf(config: AuthzenConfig, host: string | undefined, forwardedProto: string | undefined): string | null {
  if (config.base_url !== null) return config.base_url;
  if (!host || !/^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host)) return null;
  return `${forwardedProto === 'https' ? 'https' : 'http'}://${host.toLowerCase()}`;
}
