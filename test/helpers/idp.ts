import { createServer, type Server } from 'node:http';
import { KeyObject, sign as cryptoSign } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose';

export type SigningAlg = 'RS256' | 'ES256' | 'EdDSA';

export interface SigningKey {
  kid: string;
  alg: SigningAlg;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function newSigningKey(alg: SigningAlg, kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, alg === 'EdDSA' ? { crv: 'Ed25519', extractable: true } : { extractable: true });
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

/**
 * A real identity provider on 127.0.0.1: OIDC discovery document and a JWKS whose keys can be
 * rotated, and whose endpoint can be made to fail, at any time.
 */
export class TestIdp {
  readonly keys: SigningKey[] = [];
  /** Paths requested, in order (discovery and JWKS). */
  readonly requests: string[] = [];
  failing = false;
  private server?: Server;
  issuer = '';

  static async start(algs: SigningAlg[] = ['RS256', 'ES256', 'EdDSA']): Promise<TestIdp> {
    const idp = new TestIdp();
    for (const alg of algs) await idp.addKey(alg);
    idp.server = createServer((req, res) => {
      idp.requests.push(req.url ?? '');
      if (idp.failing) {
        res.writeHead(503).end('down');
        return;
      }
      if (req.url === '/.well-known/openid-configuration') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ issuer: idp.issuer, jwks_uri: `${idp.issuer}/keys` }));
      } else if (req.url === '/keys') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: idp.keys.map((k) => k.publicJwk) }));
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => idp.server!.listen(0, '127.0.0.1', resolve));
    idp.issuer = `http://127.0.0.1:${(idp.server.address() as AddressInfo).port}`;
    return idp;
  }

  get jwksUri(): string {
    return `${this.issuer}/keys`;
  }

  jwksFetches(): number {
    return this.requests.filter((r) => r === '/keys').length;
  }

  async addKey(alg: SigningAlg, kid = `${alg.toLowerCase()}-${this.keys.length + 1}`): Promise<SigningKey> {
    const key = await newSigningKey(alg, kid);
    this.keys.push(key);
    return key;
  }

  /** Rotation: a new key of the same algorithm replaces the oldest one. */
  async rotate(alg: SigningAlg): Promise<SigningKey> {
    const old = this.keys.findIndex((k) => k.alg === alg);
    const key = await newSigningKey(alg, `${alg.toLowerCase()}-rotated-${Date.now()}`);
    if (old >= 0) this.keys.splice(old, 1);
    this.keys.push(key);
    return key;
  }

  key(alg: SigningAlg): SigningKey {
    const key = this.keys.find((k) => k.alg === alg);
    if (!key) throw new Error(`no ${alg} key`);
    return key;
  }

  /** A signed token from this issuer; `claims` override the defaults (iss, sub, aud, iat, exp). */
  async token(claims: JWTPayload = {}, options: { alg?: SigningAlg; key?: SigningKey; nowS?: number; header?: Record<string, unknown> } = {}): Promise<string> {
    const key = options.key ?? this.key(options.alg ?? 'RS256');
    const nowS = options.nowS ?? Math.floor(Date.now() / 1000);
    return new SignJWT({ iss: this.issuer, sub: 'alice', aud: 'tollgate', iat: nowS, exp: nowS + 600, ...claims })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, ...options.header })
      .sign(key.privateKey);
  }

  /** Signs arbitrary header and payload with node:crypto (jose refuses some attack shapes, e.g. unknown crit). */
  rawToken(header: Record<string, unknown>, payload: Record<string, unknown>, key: SigningKey = this.key('RS256')): string {
    const input = `${b64(header)}.${b64(payload)}`;
    const signature = cryptoSign('sha256', Buffer.from(input), KeyObject.from(key.privateKey));
    return `${input}.${signature.toString('base64url')}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }
}

export function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** An unsigned token (alg none). */
export function unsignedToken(payload: Record<string, unknown>): string {
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.`;
}
