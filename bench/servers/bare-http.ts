import http from 'node:http';

/**
 * The physical limit: bare node:http reading the same POST body and answering 200 with a small
 * JSON body, nothing else. Prints the port as a JSON line, like `tollgate serve`.
 */
const body = '{"allow":true}';
const server = http.createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  req.on('data', () => undefined);
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address() as { port: number };
  process.stdout.write(`${JSON.stringify({ message: 'bare listening', http_port: address.port })}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
