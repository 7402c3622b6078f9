/**
 * One JWT issuer set entirely from the environment. It is added to identity.jwt.issuers, replacing
 * a file entry with the same issuer so the environment wins as it does for every other key.
 */
export const JWT_ISSUER_ENV = ['TOLLGATE_JWT_ISSUER', 'TOLLGATE_JWT_JWKS_URI', 'TOLLGATE_JWT_AUDIENCE'] as const;

export function applyJwtIssuerEnv(raw: Record<string, unknown>, env: NodeJS.ProcessEnv, problems: string[]): void {
  const issuer = env.TOLLGATE_JWT_ISSUER;
  if (issuer === undefined) {
    for (const name of JWT_ISSUER_ENV.slice(1)) if (env[name] !== undefined) problems.push(`${name}: needs TOLLGATE_JWT_ISSUER`);
    return;
  }
  const entry: Record<string, unknown> = { issuer };
  if (env.TOLLGATE_JWT_JWKS_URI) entry.jwks_uri = env.TOLLGATE_JWT_JWKS_URI;
  // Required by the schema; left out when unset so the error names the missing audiences.
  if (env.TOLLGATE_JWT_AUDIENCE) entry.audiences = env.TOLLGATE_JWT_AUDIENCE.split(',').map((a) => a.trim()).filter(Boolean);
  const identity = objectAt(raw, 'identity');
  const jwt = objectAt(identity, 'jwt');
  const issuers = Array.isArray(jwt.issuers) ? jwt.issuers as unknown[] : [];
  jwt.issuers = [...issuers.filter((i) => (i as { issuer?: unknown })?.issuer !== issuer), entry];
}

function objectAt(parent: Record<string, unknown>, key: string): Record<string, unknown> {
  const value = parent[key];
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  return (parent[key] = {}) as Record<string, unknown>;
}
