import { z } from 'zod';
import { AUTHENTICATOR_NAMES } from '../identity/authenticator-names.js';
import { assertFetchableUrl } from '../identity/jwt/http-json.js';
import { proxyListSchema } from './proxy-list-schema.js';

/** Identity settings (docs/identity.md documents every key). */
const positiveInt = z.number().int().positive();

const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'] as const;
export const SYMMETRIC_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const;
/** The default allowlist when an issuer names none and has no shared secret. */
export const DEFAULT_ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'];

/** A claim name, or a dotted path into nested claims ("realm_access.roles", "kubernetes.io.namespace"). */
const claimPath = z.string().min(1);

export const claimMappingSchema = z.strictObject({
  subject: claimPath.default('sub'),
  groups: claimPath.nullable().default('groups'),
  /** Each claim may be a space-separated string (`scope`) or a list (`scp` in some IdPs). */
  scopes: z.array(claimPath).default(['scope', 'scp']),
  tenant: claimPath.nullable().default(null),
  /** A claim listing model globs the token grants directly. */
  models: claimPath.nullable().default(null),
  /** Claims carrying the caller's limits (docs/limits.md): requests and tokens per minute, `N/PERIOD` budget. */
  rpm: claimPath.nullable().default(null),
  tpm: claimPath.nullable().default(null),
  token_budget: claimPath.nullable().default(null),
});

export const issuerSchema = z.strictObject({
  /** Must equal the token's `iss` exactly. */
  issuer: z.string().min(1),
  /** null: read `jwks_uri` from `<issuer>/.well-known/openid-configuration`. */
  jwks_uri: z.string().url().nullable().default(null),
  /** The token's `aud` must contain one of these. */
  audiences: z.array(z.string().min(1)).min(1),
  /** Allowlist; defaults to the asymmetric set, or to HS256/384/512 when a shared secret is set. */
  algorithms: z.array(z.enum([...ASYMMETRIC_ALGORITHMS, ...SYMMETRIC_ALGORITHMS])).min(1).nullable().default(null),
  /** File holding an HMAC secret (at least 32 bytes); makes this an HS* issuer with no JWKS. */
  shared_secret_file: z.string().nullable().default(null),
  /** Claims that must be present besides `exp` (always required). */
  required_claims: z.array(z.string().min(1)).default([]),
  /**
   * Claim (name or dotted path) -> accepted values: the claim must equal one of them, or be a list
   * holding one. How an issuer shared by many parties (GitHub Actions, a cluster) is narrowed to yours.
   */
  required_claim_values: z.record(claimPath, z.array(z.string()).min(1)).default({}),
  /** Longest accepted token lifetime: exp - iat, or exp - now for a token without iat. null: no limit. */
  max_token_lifetime_s: z.number().int().positive().nullable().default(86_400),
  clock_tolerance_s: z.number().int().min(0).max(300).default(30),
  /** `authorization` reads `Bearer <token>`; any other header name holds the bare token. */
  token_header: z.string().min(1).transform((h) => h.toLowerCase()).default('authorization'),
  claims: claimMappingSchema.prefault({}),
  /** PEM CA bundle for the JWKS/discovery HTTPS endpoints (e.g. the Kubernetes API server CA). */
  ca_file: z.string().nullable().default(null),
  /** File with a bearer token sent when fetching JWKS/discovery, re-read on every fetch (Kubernetes). */
  fetch_token_file: z.string().nullable().default(null),
}).superRefine((issuer, ctx) => {
  const symmetric = issuer.shared_secret_file !== null;
  for (const alg of issuer.algorithms ?? []) {
    const isHs = alg.startsWith('HS');
    if (isHs !== symmetric) {
      ctx.addIssue({ code: 'custom', path: ['algorithms'], message: symmetric ? `${alg}: an issuer with a shared secret allows only HS* algorithms` : `${alg}: HS* algorithms need shared_secret_file` });
    }
  }
  if (symmetric && issuer.jwks_uri !== null) ctx.addIssue({ code: 'custom', path: ['jwks_uri'], message: 'an issuer has either a shared secret or a JWKS, not both' });
  if (!symmetric) {
    // Keys come from jwks_uri, or from discovery under the issuer URL.
    const [field, url] = issuer.jwks_uri !== null ? ['jwks_uri', issuer.jwks_uri] : ['issuer', issuer.issuer];
    try {
      assertFetchableUrl(url);
    } catch (err) {
      ctx.addIssue({ code: 'custom', path: [field], message: (err as Error).message });
    }
  }
});

export const jwtSchema = z.strictObject({
  issuers: z.array(issuerSchema).default([]),
  /** Larger tokens are refused before any parsing. */
  max_token_bytes: positiveInt.default(16 * 1024),
  cache: z.strictObject({
    /** Remember verified tokens (keyed by their SHA-256) so a busy caller skips signature checks. */
    enabled: z.boolean().default(true),
    max_entries: positiveInt.default(10_000),
    /** A cached verification lasts this long at most, and never past the token's `exp`. */
    ttl_ms: positiveInt.default(60_000),
  }).prefault({}),
  jwks: z.strictObject({
    refresh_interval_ms: positiveInt.default(300_000),
    /** Keys older than this (endpoint failing) stop verifying: requests get jwks_unavailable. */
    max_staleness_ms: positiveInt.default(3_600_000),
    fetch_timeout_ms: positiveInt.default(2_000),
    /** Least time between fetches caused by requests (unknown kid, no usable keys). */
    refetch_cooldown_ms: positiveInt.default(30_000),
    max_response_bytes: positiveInt.default(512 * 1024),
  }).prefault({}),
}).superRefine((jwt, ctx) => {
  const seen = new Set<string>();
  jwt.issuers.forEach((issuer, i) => {
    if (seen.has(issuer.issuer)) ctx.addIssue({ code: 'custom', path: ['issuers', i, 'issuer'], message: `duplicate issuer ${issuer.issuer}` });
    seen.add(issuer.issuer);
  });
});

export const mtlsSchema = z.strictObject({
  /** TCP peers (CIDRs or addresses) whose x-forwarded-client-cert header is believed; empty = never. */
  trusted_proxies: proxyListSchema,
  /** SPIFFE ID (exact) -> model globs granted to that workload. */
  models: z.record(z.string().startsWith('spiffe://'), z.array(z.string().min(1))).default({}),
});

export const identitySchema = z.strictObject({
  /** Authenticators run in this order; the first that finds its credential decides. Unlisted ones never run. */
  order: z.array(z.enum(AUTHENTICATOR_NAMES)).min(1).refine((o) => new Set(o).size === o.length, 'entries must be unique').default([...AUTHENTICATOR_NAMES]),
  jwt: jwtSchema.prefault({}),
  mtls: mtlsSchema.prefault({}),
  on_behalf_of: z.strictObject({
    /** Header carrying the user's JWT when an agent calls for a user. */
    header: z.string().min(1).transform((h) => h.toLowerCase()).default('x-tollgate-on-behalf-of'),
  }).prefault({}),
});

export type IdentityConfig = z.infer<typeof identitySchema>;
export type IssuerConfig = z.infer<typeof issuerSchema>;
export type JwtConfig = z.infer<typeof jwtSchema>;
export type ClaimMapping = z.infer<typeof claimMappingSchema>;
