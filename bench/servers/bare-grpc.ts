import http2 from 'node:http2';
import path from 'node:path';
import protobuf from 'protobufjs';
import { floorPolicy } from './floor-policy.js';

/**
 * The gRPC physical limits: the least any Node server must do to answer Envoy's Check on node:http2
 * (h2c). `bare-grpc.js PROTO_DIR` collects the request's DATA, decodes the CheckRequest with
 * protobufjs, parses the forwarded body as JSON (as bare-json does) and answers an OK CheckResponse
 * (headers, one framed message, grpc-status trailers);
 * `bare-grpc.js PROTO_DIR policy BUNDLE` also evaluates the bundle's tollgate/authz/decision in Wasm
 * on the request's tollgate.input/v1 document and answers with its allow. No deadlines, limits,
 * credential check, audit record or metrics. Prints the port as a JSON line, like `tollgate serve`.
 */
const [protoDir, mode, bundleFile] = process.argv.slice(2);
const root = new protobuf.Root();
root.resolvePath = (_origin, target) => path.join(protoDir, target);
root.loadSync('envoy/service/auth/v3/external_auth.proto', { keepCase: true }).resolveAll();
const CheckRequest = root.lookupType('envoy.service.auth.v3.CheckRequest');
const CheckResponse = root.lookupType('envoy.service.auth.v3.CheckResponse');
const decide = mode === 'policy' ? await floorPolicy(bundleFile, 'envoy_grpc') : () => true;
const answers = { allow: framed({ status: { code: 0 }, ok_response: {} }), deny: framed({ status: { code: 7 }, denied_response: { status: { code: 403 } } }) };
const responseHeaders = { ':status': 200, 'content-type': 'application/grpc+proto' };
const trailers = { 'grpc-status': '0' };

const server = http2.createServer();
server.on('stream', (stream) => {
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => {
    const check = CheckRequest.decode(Buffer.concat(chunks).subarray(5)) as unknown as { attributes: { request: { http: HttpAttributes } } };
    stream.respond(responseHeaders, { waitForTrailers: true });
    stream.once('wantTrailers', () => stream.sendTrailers(trailers));
    const { method, path, headers, body } = check.attributes.request.http;
    stream.end(decide({ method, path, headers, model: (JSON.parse(body) as { model?: unknown }).model }) ? answers.allow : answers.deny);
  });
});

interface HttpAttributes { method: string; path: string; headers: Record<string, string>; body: string }

function framed(message: Record<string, unknown>): Buffer {
  const bytes = CheckResponse.encode(CheckResponse.fromObject(message)).finish();
  const out = Buffer.alloc(5 + bytes.length);
  out.writeUInt32BE(bytes.length, 1);
  out.set(bytes, 5);
  return out;
}


server.listen(0, '127.0.0.1', () => {
  const address = server.address() as { port: number };
  process.stdout.write(`${JSON.stringify({ message: 'bare listening', grpc_port: address.port })}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
