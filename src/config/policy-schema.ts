import { z } from 'zod';

const positiveInt = z.number().int().positive();

/** A bundle server polled as OPA polls one (policy.remote, policy.shadow.remote). */
export const remoteBundleSchema = z.strictObject({
  url: z.string().regex(/^https?:\/\//),
  /** A random delay in [min, max] between polls; after a failure, OPA's backoff (0.1 s doubling, capped at max). */
  polling: z.strictObject({
    min_delay_seconds: z.number().positive().default(10),
    max_delay_seconds: z.number().positive().default(20),
  }).refine((p) => p.min_delay_seconds <= p.max_delay_seconds, 'min_delay_seconds must not exceed max_delay_seconds').prefault({}),
  /** Sent with every request (credentials for the bundle server). */
  headers: z.record(z.string(), z.string()).default({}),
  /** File holding a bearer token, re-read on every request; overrides headers.authorization. */
  token_file: z.string().nullable().default(null),
  /** Client TLS: a private CA, and a client certificate for servers that want one. */
  tls: z.strictObject({
    ca_file: z.string().nullable().default(null),
    cert_file: z.string().nullable().default(null),
    key_file: z.string().nullable().default(null),
  }).nullable().default(null),
  /** Longest a download may take, headers and body. */
  timeout_seconds: z.number().positive().default(30),
  /** The last good bundle is kept here and served at start when the server is down; null = not kept. */
  persist_dir: z.string().nullable().default(null),
});

/** Every bundle must be signed with this key (OPA's bundle signing). */
export const signingSchema = z.strictObject({
  /** PEM public key (RSA: RS256/PS256, EC P-256: ES256). */
  public_key: z.string().nullable().default(null),
  /** A JWKS file; the key is chosen by key_id, else by the signature's kid. */
  jwks_file: z.string().nullable().default(null),
  /** HS256 shared secret (at least 32 bytes). */
  secret_file: z.string().nullable().default(null),
  key_id: z.string().nullable().default(null),
  /** Must equal the signature's scope (unset: the signature must have none), as OPA compares. */
  scope: z.string().nullable().default(null),
}).refine((s) => [s.public_key, s.jwks_file, s.secret_file].filter(Boolean).length === 1, 'set exactly one of public_key, jwks_file, secret_file');

/** A candidate bundle evaluated beside the enforced one; it never changes an answer. */
export const shadowSchema = z.strictObject({
  bundle: z.string().nullable().default(null),
  remote: remoteBundleSchema.nullable().default(null),
  /** Fraction of decisions the candidate also evaluates. */
  sample: z.number().min(0).max(1).default(1),
}).refine((s) => (s.bundle === null) !== (s.remote === null), 'set exactly one of bundle, remote');

export const policySchema = z.strictObject({
  /** Path to an OPA Wasm bundle (.tar.gz); null = the embedded default policy (unless remote is set). */
  bundle: z.string().nullable().default(null),
  /** Poll a bundle server instead of reading a file. */
  remote: remoteBundleSchema.nullable().default(null),
  signing: signingSchema.nullable().default(null),
  shadow: shadowSchema.nullable().default(null),
  /** dry_run: every well-formed request is allowed; what policy would have denied is recorded and counted. */
  mode: z.enum(['enforce', 'dry_run']).default('enforce'),
  entrypoint: z.string().regex(/^[A-Za-z0-9_]+(\/[A-Za-z0-9_]+)*$/).default('tollgate/authz/decision'),
  /** Re-read the bundle when the file changes (or poll the server); a bad bundle keeps the last good one serving. */
  watch: z.boolean().default(true),
  poll_interval_ms: positiveInt.default(1000),
  max_memory_pages: positiveInt.default(8192),
}).refine((p) => p.bundle === null || p.remote === null, 'set bundle or remote, not both');

export type PolicyConfig = z.infer<typeof policySchema>;
export type RemoteBundleConfig = z.infer<typeof remoteBundleSchema>;
