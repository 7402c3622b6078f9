import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { opaPath } from './opa.js';
import { bundleFiles, tarball } from './tar.js';
import { tempDir } from './tollgate.js';

export type SigningAlg = 'RS256' | 'ES256' | 'PS256';

/** A key pair written as PEM files, as an operator would keep them. */
export interface KeyPair { privateKey: string; publicKey: string }

export function writeKeyPair(alg: SigningAlg): KeyPair {
  const dir = tempDir('tollgate-signing-');
  const pair = alg === 'ES256'
    ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKey = path.join(dir, 'private.pem');
  const publicKey = path.join(dir, 'public.pem');
  writeFileSync(privateKey, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(publicKey, pair.publicKey.export({ type: 'spki', format: 'pem' }));
  return { privateKey, publicKey };
}

export interface SignOptions { key: string; alg: SigningAlg | 'HS256'; scope?: string; revision?: string }

/** Builds the directory's files into a Wasm bundle signed by the real `opa build --signing-key`; returns the .tar.gz path. */
export function buildSignedBundle(files: Record<string, string>, entrypoints: string[], sign: SignOptions): string {
  const dir = tempDir('tollgate-signed-');
  const src = path.join(dir, 'src');
  execFileSync('mkdir', ['-p', src]);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(src, name), text);
  const claims = path.join(dir, 'claims.json');
  writeFileSync(claims, JSON.stringify(sign.scope ? { scope: sign.scope } : {}));
  const out = path.join(dir, 'bundle.tar.gz');
  execFileSync(opaPath(), [
    'build', '-b', '-t', 'wasm', ...entrypoints.flatMap((e) => ['-e', e]), '--revision', sign.revision ?? 'signed',
    '--signing-key', sign.key, '--signing-alg', sign.alg, '--claims-file', claims, '-o', out, '.',
  ], { cwd: src, stdio: 'pipe' });
  return out;
}

/** The bundle's files repacked after `change` edits them (name without the leading "/" → bytes). */
export function tamper(bundleFile: string, change: (files: Record<string, Buffer>) => void): Buffer {
  const files = bundleFiles(bundleFile);
  change(files);
  return gzipSync(tarball(Object.entries(files).map(([name, content]) => ({ name: `/${name}`, content }))));
}
