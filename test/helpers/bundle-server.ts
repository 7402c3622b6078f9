import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the next answers are: the bundle with its ETag, a status, a cut-off body, or a slow one. */
export type Behaviour = { kind: 'serve' } | { kind: 'status'; status: number } | { kind: 'truncate' } | { kind: 'slow'; ms: number };

/**
 * A bundle server as OPA expects one: 200 with an ETag, 304 when If-None-Match matches; failures on
 * demand. Records every request, so tests can check what the client sent.
 */
export class BundleServer {
  readonly requests: Array<{ ifNoneMatch?: string; authorization?: string; status: number }> = [];
  private bundle: Buffer = Buffer.alloc(0);
  private behaviour: Behaviour = { kind: 'serve' };
  private readonly server: Server;

  constructor() {
    this.server = createServer((req, res) => {
      const status = this.answer(req);
      this.requests.push({ ifNoneMatch: req.headers['if-none-match'], authorization: req.headers.authorization, status });
      const etag = this.etag();
      if (status === 304) res.writeHead(304, { etag }).end();
      else if (status !== 200) res.writeHead(status).end('failing on purpose');
      else if (this.behaviour.kind === 'truncate') {
        // Promise the whole bundle, send half, hang up: the client must see a broken download.
        res.writeHead(200, { 'content-length': this.bundle.length, etag: `"cut-${etag}"` });
        res.write(this.bundle.subarray(0, this.bundle.length >> 1), () => res.socket?.destroy());
      } else if (this.behaviour.kind === 'slow') {
        const timer = setTimeout(() => res.writeHead(200, { etag }).end(this.bundle), this.behaviour.ms);
        res.on('close', () => clearTimeout(timer));
      } else res.writeHead(200, { 'content-type': 'application/gzip', etag }).end(this.bundle);
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/bundles/tollgate.tar.gz`;
  }

  /** Serves these bytes from now on (a new ETag), and behaves normally. */
  publish(bytes: Buffer): void {
    this.bundle = bytes;
    this.behaviour = { kind: 'serve' };
  }

  set(behaviour: Behaviour): void {
    this.behaviour = behaviour;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private etag(): string {
    return `"${createHash('sha256').update(this.bundle).digest('hex').slice(0, 16)}"`;
  }

  private answer(req: IncomingMessage): number {
    if (this.behaviour.kind === 'status') return this.behaviour.status;
    if (this.behaviour.kind === 'serve' && req.headers['if-none-match'] === this.etag()) return 304;
    return 200;
  }
}
