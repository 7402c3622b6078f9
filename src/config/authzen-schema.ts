import { z } from 'zod';

const entrypoint = z.string().regex(/^[A-Za-z0-9_]+(\/[A-Za-z0-9_]+)*$/, 'a policy data path like tollgate/authzen/decision');

/** The AuthZEN Authorization API 1.0 PDP on server.http_port (docs/authzen.md). */
export const authzenSchema = z.strictObject({
  /**
   * Off by default: its answers reveal policy, and when on, the bundle must have `entrypoint` (checked
   * at load). The embedded bundle has the default AuthZEN policy.
   */
  enabled: z.boolean().default(false),
  entrypoint: entrypoint.default('tollgate/authzen/decision'),
  /** The PDP identifier in the metadata (https, no query or fragment); null = derived from the request's Host. */
  base_url: z.url({ protocol: /^https?$/ }).refine((u) => !/[?#]/.test(u), 'no query or fragment').transform((u) => u.replace(/\/+$/, '')).nullable().default(null),
  /** Callers (the PEPs) authenticate like any other request; false only for trusted networks. */
  require_caller: z.boolean().default(true),
  /** A scope the caller's credential must hold (API key scopes, JWT scope/scp); null = any authenticated caller. */
  required_scope: z.string().min(1).nullable().default('authzen'),
  /** Tenants served at /<tenant>/access/v1/... with metadata at /.well-known/authzen-configuration/<tenant>. */
  tenants: z.array(z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'a tenant name: lower-case letters, digits, _ and -')).default([]),
  /** Capability URNs listed in the metadata (none are registered yet; omitted when empty, as the spec asks). */
  capabilities: z.array(z.string().startsWith('urn:')).default([]),
  /** Most evaluations one batch may ask for; more is a 413. */
  max_evaluations: z.number().int().positive().max(100_000).default(1000),
  /** Search results per page when the request sets no page.limit, and the largest limit honoured. */
  search_page_size: z.number().int().positive().max(10_000).default(100),
});

export type AuthzenConfig = z.infer<typeof authzenSchema>;
