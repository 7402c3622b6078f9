import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { AuthzRequest } from '../../../src/core/types.js';
import { MtlsAuthenticator } from '../../../src/identity/mtls.js';
import { TrustedProxies } from '../../../src/common/trusted-proxies.js';
import { tempDir } from '../../helpers/tollgate.js';

const request = (over: Partial<AuthzRequest>): AuthzRequest => ({
  gateway: 'envoy_grpc', method: 'POST', path: '/v1/chat/completions', query: '', host: 'llm', scheme: 'https', headers: {}, source: {}, ...over,
});

describe('MtlsAuthenticator', () => {
  const mtls = new MtlsAuthenticator({
    trustedProxies: new TrustedProxies(['10.0.0.1']),
    models: { 'spiffe://example.org/ns/ml/sa/trainer': ['gpt-4o*'] },
  });

  test('the peer principal Envoy verified becomes the workload identity', () => {
    expect(mtls.authenticate(request({ source: { principal: 'spiffe://example.org/ns/ml/sa/trainer' } }))).toEqual({
      kind: 'mtls', id: 'mtls:spiffe://example.org/ns/ml/sa/trainer', subject: 'spiffe://example.org/ns/ml/sa/trainer', scopes: [], models: ['gpt-4o*'], groups: [],
      workload: { spiffeId: 'spiffe://example.org/ns/ml/sa/trainer', trustDomain: 'example.org', path: '/ns/ml/sa/trainer', source: 'envoy_peer' },
    });
  });

  test('a non-SPIFFE peer principal (certificate subject) is an identity without a workload ID', () => {
    expect(mtls.authenticate(request({ source: { principal: 'CN=batch,O=Acme' } }))).toMatchObject({
      id: 'mtls:CN=batch,O=Acme', subject: 'CN=batch,O=Acme', models: [], workload: { source: 'envoy_peer' },
    });
  });

  test('the peer principal wins over any XFCC header; no credential at all is null', () => {
    const xfcc = { 'x-forwarded-client-cert': 'URI=spiffe://example.org/other' };
    expect(mtls.authenticate(request({ source: { principal: 'spiffe://example.org/a' }, headers: xfcc, transportPeer: '10.0.0.1' }))?.subject).toBe('spiffe://example.org/a');
    expect(mtls.authenticate(request({}))).toBeNull();
    expect(mtls.authenticate(request({ headers: xfcc, transportPeer: '10.0.0.2' }))).toBeNull();
  });

  test('Cert= without URI=: the SPIFFE ID is read from the forwarded certificate', () => {
    const dir = tempDir();
    const [key, cert] = [path.join(dir, 'key.pem'), path.join(dir, 'cert.pem')];
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert,
      '-days', '1', '-subj', '/CN=trainer', '-addext', 'subjectAltName=URI:spiffe://example.org/ns/ml/sa/trainer,DNS:trainer'], { stdio: 'ignore' });
    const header = `By=spiffe://example.org/edge;Cert="${encodeURIComponent(readFileSync(cert, 'utf8'))}";Subject="CN=trainer"`;
    expect(mtls.authenticate(request({ headers: { 'x-forwarded-client-cert': header }, transportPeer: '10.0.0.1' }))).toMatchObject({
      subject: 'spiffe://example.org/ns/ml/sa/trainer', models: ['gpt-4o*'], workload: { trustDomain: 'example.org', source: 'xfcc' },
    });
    expect(() => mtls.authenticate(request({ headers: { 'x-forwarded-client-cert': 'Cert="not%20a%20cert"' }, transportPeer: '10.0.0.1' })))
      .toThrow(expect.objectContaining({ code: 'ERR_XFCC_MALFORMED' }));
  });
});
