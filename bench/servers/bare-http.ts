import http from 'node:http';
import { floorPolicy } from './floor-policy.js';

/**
 * The physical limits: bare node:http reading the same POST body and answering 200, nothing else.
 * `bare-http.js` answers a fixed small body; `bare-http.js json` also parses the body as JSON and
 * answers a decision-sized JSON document built from it (what any JSON service must do);
 * `bare-http.js policy BUNDLE` also evaluates the bundle's tollgate/authz/decision in Wasm with
 * opa-wasm on the tollgate.input/v1 document of that request and answers with its allow: the floor
 * of any service deciding with Rego compiled to Wasm on Node (no credential check, no audit record,
 * no metrics). Prints the port as a JSON line, like `tollgate serve`.
 */
const mode = process.argv[2];
const decide = mode === 'policy' ? await floorPolicy(process.argv[3], 'native') : undefined;
const fixed = '{"allow":true}';
const server = http.createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => {
    if (mode) chunks.push(chunk);
  });
  req.on('end', () => {
    let body = fixed;
    if (mode) {
      const request = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      body = answerFor(request, decide ? decide({ ...(request as { method: string; path: string; headers: Record<string, string> }), model: (request.body as { model?: unknown }).model }) : true);
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});


/** About the size of Tollgate's allow answer (~600 B), with fields taken from the request. */
function answerFor(request: Record<string, unknown>, allow: boolean): string {
  return JSON.stringify({
    allow, status: 200, reason: 'allowed', decision_id: '00000000-0000-4000-8000-000000000000', policy_revision: 'bare',
    headers: { 'x-tollgate-subject': 'bench-app', 'x-tollgate-key-id': 'abcdefghijkl', 'x-tollgate-credential': 'api_key', 'x-tollgate-decision-id': '00000000-0000-4000-8000-000000000000' },
    response_headers: {}, remove_headers: [], dynamic_metadata: {},
    identity: { subject: 'bench-app', credential: 'api_key', key_id: 'abcdefghijkl', groups: [], scopes: [] },
    method: request.method, path: request.path, model: (request.body as { model?: unknown } | undefined)?.model ?? null,
  });
}

server.listen(0, '127.0.0.1', () => {
  const address = server.address() as { port: number };
  process.stdout.write(`${JSON.stringify({ message: 'bare listening', http_port: address.port })}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
