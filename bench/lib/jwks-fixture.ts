import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';

export type BenchAlg = 'RS256' | 'ES256';

export interface JwksFixture {
  jwksUri: string;
  issuer: string;
  audience: string;
  /** A token granting model:gpt-4o* (through the scope claim), valid for two hours. */
  tokens: Record<BenchAlg, string>;
  close(): Promise<void>;
}

/**
 * One RS256 and one ES256 signing key, their JWKS served on loopback from this process (fetched
 * once per server start, never under load), and a token signed by each.
 */
export async function startJwksFixture(): Promise<JwksFixture> {
  const issuer = 'https://issuer.bench.tollgate.test';
  const audience = 'tollgate-bench';
  const keys: JWK[] = [];
  const tokens = {} as Record<BenchAlg, string>;
  for (const alg of ['RS256', 'ES256'] as const) {
    const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
    const kid = `bench-${alg.toLowerCase()}`;
    keys.push({ ...(await exportJWK(publicKey)), kid, alg, use: 'sig' });
    tokens[alg] = await new SignJWT({ scope: 'model:gpt-4o*' })
      .setProtectedHeader({ alg, kid })
      .setIssuer(issuer).setAudience(audience).setSubject('bench-user')
      .setIssuedAt().setExpirationTime('2h')
      .sign(privateKey);
  }
  const body = JSON.stringify({ keys });
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    jwksUri: `http://127.0.0.1:${port}/jwks.json`, issuer, audience, tokens,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
