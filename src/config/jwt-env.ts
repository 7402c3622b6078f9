import { objectAt, type EnvReader } from './raw-config.js';

const [ISSUER, JWKS_URI, AUDIENCE] = ['TOLLGATE_JWT_ISSUER', 'TOLLGATE_JWT_JWKS_URI', 'TOLLGATE_JWT_AUDIENCE'] as const;

/**
 * One JWT issuer set entirely from the environment. It is added to identity.jwt.issuers, replacing
 * a file entry with the same issuer so the environment wins as it does for every other key.
 */
export const jwtIssuerEnv: EnvReader = {
  names: [ISSUER, JWKS_URI, AUDIENCE],
  apply(raw, env, problems) {
    const issuer = env[ISSUER];
    if (issuer === undefined) {
      for (const name of [JWKS_URI, AUDIENCE]) if (env[name] !== undefined) problems.push(`${name}: needs ${ISSUER}`);
      return;
    }
    const entry: Record<string, unknown> = { issuer };
    if (env[JWKS_URI]) entry.jwks_uri = env[JWKS_URI];
    // Required by the schema; left out when unset so the error names the missing audiences.
    if (env[AUDIENCE]) entry.audiences = env[AUDIENCE].split(',').map((a) => a.trim()).filter(Boolean);
    const jwt = objectAt(objectAt(raw, 'identity'), 'jwt');
    const issuers = Array.isArray(jwt.issuers) ? jwt.issuers as unknown[] : [];
    jwt.issuers = [...issuers.filter((i) => (i as { issuer?: unknown })?.issuer !== issuer), entry];
  },
};
