import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { buildBundle } from '../helpers/opa.js';
import { postJson, startTollgate, type RunningTollgate } from '../helpers/tollgate.js';
import { waitFor } from '../helpers/wait.js';

/** A decision-log collector as OPA uploads to: gzip JSON arrays; it fails while told to. */
class Collector {
  readonly events: Array<Record<string, any>> = [];
  failing = false;
  attempts = 0;
  private readonly server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      this.attempts++;
      if (this.failing) {
        res.writeHead(503).end();
        return;
      }
      expect(req.headers).toMatchObject({ 'content-encoding': 'gzip', 'content-type': 'application/json' });
      this.events.push(...(JSON.parse(gunzipSync(Buffer.concat(chunks)).toString('utf8')) as Array<Record<string, unknown>>));
      res.writeHead(204).end();
    });
  });

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/logs`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const ENTRY = 't/decision';
const bundle = () => buildBundle({ 'p.rego': 'package t\n\ndecision := {"allow": input.request.method == "GET"}\n' }, [ENTRY], 'dl-1');

/** decision_logs against a local collector that fails, then recovers. */
describe('decision log shipping', () => {
  const collector = new Collector();
  let url: string;
  beforeAll(async () => {
    url = await collector.listen();
  });
  afterAll(() => collector.close());

  const start = (extra: Record<string, string>) => startTollgate({
    TOLLGATE_POLICY_BUNDLE: bundle(), TOLLGATE_POLICY__ENTRYPOINT: ENTRY, TOLLGATE_LOG__INCLUDE_INPUT: 'true',
    TOLLGATE_DECISION_LOGS__URL: url, TOLLGATE_DECISION_LOGS__FLUSH_INTERVAL_MS: '50',
    TOLLGATE_DECISION_LOGS__MIN_RETRY_DELAY_MS: '20', TOLLGATE_DECISION_LOGS__MAX_RETRY_DELAY_MS: '100',
    TOLLGATE_DECISION_LOGS__MAX_BATCH_BYTES: '4096', TOLLGATE_DECISION_LOGS__LABELS__ENV: 'test', ...extra,
  });
  const decide = async (tg: RunningTollgate, n: number) => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push((await postJson(`${tg.url}/v1/authorize`, { method: i % 2 ? 'POST' : 'GET', path: '/v1/models', headers: { 'x-n': String(i) } })).json.decision_id);
    return ids;
  };

  test('events in OPA\'s shape; a failing collector loses nothing while the buffer holds', async () => {
    const tg = await start({});
    try {
      collector.failing = true;
      const attempts = collector.attempts;
      const ids = await decide(tg, 40);
      await waitFor(() => collector.attempts > attempts + 3);
      expect(collector.events).toHaveLength(0);
      collector.failing = false;
      await waitFor(() => collector.events.length >= 40);
      expect(collector.events.map((e) => e.decision_id)).toEqual(ids);
      expect(collector.events[0]).toEqual({
        labels: { id: expect.any(String), version: expect.any(String), env: 'test' },
        decision_id: ids[0],
        path: ENTRY,
        input: expect.objectContaining({ version: 'tollgate.input/v1', request: expect.objectContaining({ method: 'GET', headers: { 'x-n': '0' } }) }),
        result: { allow: true, status: 200, reason: 'allowed', result: 'allow' },
        bundles: { tollgate: { revision: 'dl-1' } },
        requested_by: expect.any(String),
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        metrics: { timer_tollgate_decision_ns: expect.any(Number) },
      });
      expect(collector.events[1].result).toMatchObject({ allow: false, status: 403 });
      expect(await (await fetch(`${tg.adminUrl}/metrics`)).text()).toMatch(/tollgate_decision_logs_uploads_total\{result="failure"\} [1-9]/);
    } finally {
      await tg.stop();
    }
  });

  test('a full buffer drops the oldest events, counted and logged; the newest arrive', async () => {
    collector.events.length = 0;
    const tg = await start({ TOLLGATE_DECISION_LOGS__MAX_BUFFER_RECORDS: '10' });
    try {
      collector.failing = true;
      const ids = await decide(tg, 25);
      expect(await (await fetch(`${tg.adminUrl}/metrics`)).text()).toMatch(/tollgate_decision_logs_dropped_total 15/);
      expect(tg.logs.some((l) => l.message === 'decision log buffer full; dropped the oldest events (decision_logs.max_buffer_records)')).toBe(true);
      collector.failing = false;
      await waitFor(() => collector.events.length >= 10);
      expect(collector.events.map((e) => e.decision_id)).toEqual(ids.slice(15));
    } finally {
      await tg.stop();
    }
  });
});
