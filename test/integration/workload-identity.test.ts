import { request } from 'node:http';
import { startTollgate, tempDir, writeFile, type RunningTollgate } from '../helpers/tollgate.js';

/** POST JSON from a chosen local address (the whole of 127.0.0.0/8 is loopback on Linux). */
function postFrom(url: string, body: unknown, localAddress: string): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', localAddress, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('workload identity from x-forwarded-client-cert', () => {
  let tg: RunningTollgate;
  const builder = 'spiffe://example.org/ns/ci/sa/builder';

  beforeAll(async () => {
    const config = writeFile(tempDir(), 'tollgate.yaml', `
identity:
  mtls:
    trusted_proxies: [127.0.0.1/32, "10.0.0.0/8"]
    models:
      "${builder}": ["gpt-4o*"]
`);
    tg = await startTollgate({}, config);
  });
  afterAll(() => tg.stop());

  const chat = (xfcc: string, model = 'gpt-4o-mini') => ({
    method: 'POST', path: '/v1/chat/completions', headers: { 'x-forwarded-client-cert': xfcc }, body: { model, messages: [] },
  });
  const fromProxy = (xfcc: string, model?: string) => postFrom(`${tg.url}/v1/authorize`, chat(xfcc, model), '127.0.0.1');
  const edge = 'By=spiffe://example.org/ns/edge/sa/envoy;Hash=8f2a';

  test('from a trusted proxy: the SPIFFE ID is the workload identity, and config grants its models', async () => {
    const res = await fromProxy(`${edge};Subject="CN=builder,O=Example, Inc.";URI=${builder};DNS=builder.ci;DNS=builder`);
    expect(res.json).toMatchObject({ allow: true, identity: { subject: builder, credential: 'mtls', models: ['gpt-4o*'] } });
    const record = tg.decisions().find((d) => d.decision_id === res.json.decision_id);
    expect(record).toMatchObject({ credential: 'mtls', subject: builder, workload: builder });
    expect((await fromProxy(`${edge};URI=${builder}`, 'o1')).json).toMatchObject({ allow: false, status: 403, reason: 'model_not_allowed' });
  });

  test('only the element the trusted proxy appended counts, not ones its client sent', async () => {
    const spoofed = `By=x;URI=spiffe://example.org/ns/admin/sa/root,${edge};URI=spiffe://example.org/ns/dev/sa/tool`;
    expect((await fromProxy(spoofed)).json).toMatchObject({ allow: false, status: 403, identity: { subject: 'spiffe://example.org/ns/dev/sa/tool' } });
  });

  test('a certificate without a SPIFFE ID is identified by its subject', async () => {
    expect((await fromProxy(`${edge};Subject="CN=legacy-batch,OU=\\"ops\\""`, 'gpt-4o')).json)
      .toMatchObject({ status: 403, identity: { subject: 'CN=legacy-batch,OU="ops"', credential: 'mtls' } });
  });

  test('from an untrusted address the header is not believed: 401', async () => {
    const res = await postFrom(`${tg.url}/v1/authorize`, chat(`${edge};URI=${builder}`), '127.0.0.2');
    expect(res.json).toMatchObject({ allow: false, status: 401, reason: 'credential_invalid', identity: null });
  });

  test.each([
    ['unterminated quote', `${edge};Subject="CN=x`, 'xfcc_malformed'],
    ['field without a value separator', `${edge};URI`, 'xfcc_malformed'],
    ['no client identity', 'By=spiffe://example.org/edge;Hash=abc', 'xfcc_malformed'],
    ['SPIFFE ID with dot segments', `${edge};URI=spiffe://example.org/ns/../admin`, 'spiffe_id_invalid'],
    ['SPIFFE ID with upper-case trust domain', `${edge};URI=spiffe://Example.org/a`, 'spiffe_id_invalid'],
    ['two SPIFFE IDs', `${edge};URI=spiffe://example.org/a;URI=spiffe://example.org/b`, 'spiffe_id_invalid'],
  ])('malformed XFCC from a trusted proxy: %s', async (_name, xfcc, reason) => {
    expect((await fromProxy(xfcc)).json).toMatchObject({ allow: false, status: 401, reason });
  });
});
