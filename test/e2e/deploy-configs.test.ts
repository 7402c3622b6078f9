import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { loadConfig } from '../../src/config/load.js';
import { packageRoot } from '../../src/paths.js';
import { spawnServe } from '../helpers/cli.js';
import { startRedis } from '../helpers/redis-server.js';
import { postJson, tempDir, writeKeys, type TestKey } from '../helpers/tollgate.js';

const root = packageRoot();
const helm = path.join(root, '.tools', 'bin', 'helm');

describe('Helm chart (helm lint + template, real helm v3.22.0)', () => {
  const chart = path.join(root, 'helm', 'tollgate');
  const example = path.join(root, 'helm', 'examples', 'litellm-sidecar');
  const render = (dir: string, ...args: string[]) => parseAllDocuments(
    execFileSync(helm, ['template', 'tg', dir, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
  ).map((d) => d.toJS() as Record<string, any>).filter(Boolean);
  const set = (...values: string[]) => values.flatMap((v) => ['--set', v]);
  const deploymentOf = (docs: Array<Record<string, any>>) => docs.find((d) => d.kind === 'Deployment')!;
  const tollgateOf = (docs: Array<Record<string, any>>) => deploymentOf(docs).spec.template.spec.containers.find((c: { name: string }) => c.name === 'tollgate');
  /** The rendered tollgate.yaml, loaded by Tollgate's own config loader with the container's env. */
  const loadRendered = (docs: Array<Record<string, any>>, env: Record<string, string> = {}) => {
    const file = path.join(tempDir(), 'tollgate.yaml');
    writeFileSync(file, docs.find((d) => d.kind === 'ConfigMap' && d.data['tollgate.yaml'])!.data['tollgate.yaml']);
    return loadConfig(env, file);
  };

  test('both charts lint clean', () => {
    for (const dir of [chart, example]) {
      expect(execFileSync(helm, ['lint', '--strict', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })).toMatch(/0 chart\(s\) failed/);
    }
  });

  test('service mode: a config Tollgate accepts, the three ports, probes on the admin port, keys from the Secret', () => {
    const docs = render(chart, ...set('keys.secretName=tg-keys', 'env.TOLLGATE_LOG_LEVEL=debug'));
    const container = tollgateOf(docs);
    const env = Object.fromEntries(container.env.map((e: { name: string; value: string }) => [e.name, e.value]));
    expect(env).toEqual({ TOLLGATE_LOG_LEVEL: 'debug' });
    const config = loadRendered(docs, env);
    expect(config.server).toMatchObject({ host: '0.0.0.0', http_port: 8181, grpc_port: 9191, admin_port: 8282, admin_host: '0.0.0.0' });
    expect(config.keys.file).toBe('/etc/tollgate/keys/keys.yaml');
    expect(container.args).toEqual(['serve', '--config', '/etc/tollgate/config/tollgate.yaml']);
    expect(container.ports.map((p: { containerPort: number }) => p.containerPort)).toEqual([8181, 9191, 8282]);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'tg-admin' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'tg-admin' });
    // No subPath: the kubelet swaps a Secret's files in place only for whole-volume mounts.
    expect(container.volumeMounts).toContainEqual({ name: 'tollgate-keys', mountPath: '/etc/tollgate/keys', readOnly: true });
    expect(docs.map((d) => d.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'PodDisruptionBudget', 'Service']);
  });

  test('memory is sized from keys.expected; explicit resources win', () => {
    const memory = (...values: string[]) => tollgateOf(render(chart, ...set(...values))).resources;
    // Default: 100,000 keys. bench/sizing.sh measured up to 187 MiB under load and a 230 MiB peak while
    // the key file reloads (docs/operations.md#sizing): the request and the limit cover them.
    expect(memory()).toEqual({ requests: { cpu: '250m', memory: '205Mi' }, limits: { memory: '315Mi' } });
    expect(memory('keys.expected=0')).toEqual({ requests: { cpu: '250m', memory: '129Mi' }, limits: { memory: '161Mi' } });
    expect(memory('keys.expected=1000000')).toEqual({ requests: { cpu: '250m', memory: '891Mi' }, limits: { memory: '1710Mi' } });
    expect(memory('resources.limits.memory=1Gi').limits.memory).toBe('1Gi');
  });

  test('a config change rolls the pods; a key change does not', () => {
    const checksum = (...values: string[]) => deploymentOf(render(chart, ...set(...values))).spec.template.metadata.annotations['checksum/tollgate-config'];
    expect(checksum('config.log.level=debug')).not.toBe(checksum());
    expect(checksum('keys.expected=5')).toBe(checksum());
  });

  test('HPA replaces the fixed replica count; the NetworkPolicy admits only the gateway and monitoring', () => {
    const docs = render(chart, ...set('autoscaling.enabled=true', 'networkPolicy.enabled=true', 'networkPolicy.gatewayPodSelector.app=litellm'));
    expect(deploymentOf(docs).spec.replicas).toBeUndefined();
    expect(docs.find((d) => d.kind === 'HorizontalPodAutoscaler')!.spec).toMatchObject({ minReplicas: 2, maxReplicas: 10 });
    const ingress = docs.find((d) => d.kind === 'NetworkPolicy')!.spec.ingress;
    expect(ingress).toEqual([
      { from: [{ podSelector: { matchLabels: { app: 'litellm' } } }], ports: [{ port: 'tg-http', protocol: 'TCP' }, { port: 'tg-grpc', protocol: 'TCP' }] },
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }], ports: [{ port: 'tg-admin', protocol: 'TCP' }] },
    ]);
    // Fail closed: a policy without the gateway's labels would admit every pod, so it does not render.
    expect(() => render(chart, ...set('networkPolicy.enabled=true'))).toThrow();
  });

  test('sidecar mode: only the ConfigMap here, authorization ports on loopback', () => {
    const docs = render(chart, '-f', path.join(chart, 'values-sidecar.yaml'));
    expect(docs.map((d) => d.kind)).toEqual(['ConfigMap']);
    expect(loadRendered(docs).server).toMatchObject({ host: '127.0.0.1', http_port: 8181, grpc_port: 9191, admin_host: '0.0.0.0' });
  });

  test('the LiteLLM example renders LiteLLM and Tollgate in one pod, wired over loopback to the ConfigMap it renders', () => {
    const docs = render(example);
    const pod = deploymentOf(docs).spec.template;
    expect(pod.spec.containers.map((c: { name: string }) => c.name)).toEqual(['litellm', 'tollgate']);
    expect(pod.spec.containers[0].env).toContainEqual({ name: 'TOLLGATE_URL', value: 'http://127.0.0.1:8181' });
    const configMap = docs.find((d) => d.kind === 'ConfigMap')!;
    expect(pod.spec.volumes).toContainEqual({ name: 'tollgate-config', configMap: { name: configMap.metadata.name } });
    expect(pod.spec.volumes).toContainEqual({ name: 'tollgate-keys', secret: { secretName: 'tollgate-keys' } });
    expect(pod.metadata.annotations['checksum/tollgate-config']).toBe(createHash('sha256').update(configMap.data['tollgate.yaml'].trimEnd()).digest('hex'));
    expect(loadRendered(docs).server.host).toBe('127.0.0.1');
  });

  test('keys from a Secret volume reload when the kubelet swaps them, without a restart', async () => {
    // The kubelet's layout: keys.yaml -> ..data/keys.yaml, ..data -> a timestamped dir, swapped by rename.
    const mount = tempDir();
    const publish = (name: string, subject: string) => {
      mkdirSync(path.join(mount, name));
      const [key] = writeKeys(path.join(mount, name, 'keys.yaml'), [{ subject, models: ['gpt-4o'] }]);
      symlinkSync(name, path.join(mount, '..data_tmp'));
      renameSync(path.join(mount, '..data_tmp'), path.join(mount, '..data'));
      return key;
    };
    const first = publish('..2026_01_01_00_00_00.1', 'svc-first');
    symlinkSync('..data/keys.yaml', path.join(mount, 'keys.yaml'));
    const tg = await spawnServe({ TOLLGATE_KEYS_FILE: path.join(mount, 'keys.yaml'), TOLLGATE_KEYS__POLL_INTERVAL_MS: '100' });
    // The native API answers 200 with the decision: its status is the one the gateway would return.
    const decide = async (key: TestKey) => (await postJson(`http://127.0.0.1:${tg.ports.http}/v1/authorize`,
      { method: 'POST', path: '/v1/chat/completions', headers: { authorization: `Bearer ${key.secret}` }, body: { model: 'gpt-4o' } })).json.status;
    try {
      expect(await decide(first)).toBe(200);
      const second = publish('..2026_01_01_00_01_00.2', 'svc-second');
      let status = 0;
      for (let i = 0; i < 50 && status !== 200; i++) {
        await new Promise((r) => setTimeout(r, 100));
        status = await decide(second);
      }
      expect(status).toBe(200);
      expect(await decide(first)).toBe(401);
      expect(tg.child.exitCode).toBeNull();
    } finally {
      tg.child.kill('SIGTERM');
      await tg.exited;
    }
  }, 60_000);
});

describe('docker-compose.yml (validated by docker-compose config; its wiring run without Docker)', () => {
  const compose = () => parseYaml(execFileSync('docker-compose', ['-f', path.join(root, 'docker-compose.yml'), 'config'], { encoding: 'utf8' })) as Record<string, any>;

  test('is valid and publishes the contract ports', () => {
    const tollgate = compose().services.tollgate;
    const published = tollgate.ports.map((p: string | { target: number }) => (typeof p === 'string' ? Number(p.split(':').pop()) : p.target));
    expect(published).toEqual(expect.arrayContaining([8181, 9191, 8282]));
  });

  test('the tollgate service, with its environment, key file and the redis service as the usage store, decides', async () => {
    const { services } = compose();
    // The redis service runs what test/helpers/redis-server.ts runs (plus a loopback port).
    expect(services.redis.command).toEqual(['redis-server', '--save', '', '--appendonly', 'no']);
    expect(services.tollgate.depends_on).toEqual(expect.objectContaining({ redis: expect.anything() }));
    const redis = await startRedis();
    const keys = path.join(tempDir(), 'keys.yaml');
    const [key] = writeKeys(keys, [{ subject: 'svc-a', models: ['gpt-4o'] }]);
    const env: Record<string, string> = {
      ...services.tollgate.environment, TOLLGATE_KEYS_FILE: keys,
      TOLLGATE_USAGE__REDIS_URL: services.tollgate.environment.TOLLGATE_USAGE__REDIS_URL.replace('redis://redis:6379', redis.url),
    };
    expect(env.TOLLGATE_USAGE__REDIS_URL).toBe(redis.url);
    const tg = await spawnServe(env);
    try {
      expect((await fetch(`http://127.0.0.1:${tg.ports.admin}/readyz`)).status).toBe(200);
      const decision = await postJson(`http://127.0.0.1:${tg.ports.http}/v1/authorize`,
        { method: 'POST', path: '/v1/chat/completions', headers: { authorization: `Bearer ${key.secret}` }, body: { model: 'gpt-4o' } });
      expect(decision.json).toMatchObject({ allow: true, status: 200 });
    } finally {
      tg.child.kill('SIGTERM');
      await tg.exited;
      await redis.stop();
    }
  }, 60_000);
});
