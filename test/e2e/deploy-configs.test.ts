import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { loadConfig } from '../../src/config/load.js';
import { packageRoot } from '../../src/paths.js';
import { spawnServe } from '../helpers/cli.js';
import { tempDir } from '../helpers/tollgate.js';

const root = packageRoot();
const helm = path.join(root, '.tools', 'bin', 'helm');

describe('Helm chart (helm lint + template, real helm v3.22.0)', () => {
  const render = (...set: string[]) => parseAllDocuments(
    execFileSync(helm, ['template', 'tg', path.join(root, 'helm', 'tollgate'), ...set.flatMap((s) => ['--set', s])], { encoding: 'utf8' }),
  ).map((d) => d.toJS() as Record<string, any>).filter(Boolean);

  test('lints clean', () => {
    expect(execFileSync(helm, ['lint', '--strict', path.join(root, 'helm', 'tollgate')], { encoding: 'utf8' })).toMatch(/0 chart\(s\) failed/);
  });

  test('renders a config Tollgate accepts, the three ports, and probes on the admin port', () => {
    const docs = render('keysSecret=tg-keys', 'env.TOLLGATE_LOG_LEVEL=debug');
    const configMap = docs.find((d) => d.kind === 'ConfigMap')!;
    const file = path.join(tempDir(), 'tollgate.yaml');
    writeFileSync(file, configMap.data['tollgate.yaml']);
    const config = loadConfig({}, file);
    expect(config.server).toMatchObject({ http_port: 8181, grpc_port: 9191, admin_port: 8282 });

    const deployment = docs.find((d) => d.kind === 'Deployment')!;
    const container = deployment.spec.template.spec.containers[0];
    expect(container.ports.map((p: { containerPort: number }) => p.containerPort)).toEqual([8181, 9191, 8282]);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'admin' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'admin' });
    expect(container.env).toEqual(expect.arrayContaining([{ name: 'TOLLGATE_KEYS_FILE', value: '/etc/tollgate/keys/keys.yaml' }, { name: 'TOLLGATE_LOG_LEVEL', value: 'debug' }]));
    const env = Object.fromEntries(container.env.map((e: { name: string; value: string }) => [e.name, e.value]));
    expect(() => loadConfig(env, file)).not.toThrow();
    expect(docs.map((d) => d.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'PodDisruptionBudget', 'Service']);
  });
});

describe('docker-compose.yml (validated by docker-compose config; its wiring run without Docker)', () => {
  const compose = () => parseYaml(execFileSync('docker-compose', ['-f', path.join(root, 'docker-compose.yml'), 'config'], { encoding: 'utf8' })) as Record<string, any>;

  test('is valid and publishes the contract ports', () => {
    const tollgate = compose().services.tollgate;
    const published = tollgate.ports.map((p: string | { target: number }) => (typeof p === 'string' ? Number(p.split(':').pop()) : p.target));
    expect(published).toEqual(expect.arrayContaining([8181, 9191, 8282]));
  });

  test('the tollgate service environment and mounted key file start a ready sidecar', async () => {
    const service = compose().services.tollgate;
    const env: Record<string, string> = { ...service.environment, TOLLGATE_KEYS_FILE: path.join(root, 'deploy', 'keys.yaml') };
    const tg = await spawnServe(env);
    try {
      const res = await fetch(`http://127.0.0.1:${tg.ports.admin}/readyz`);
      expect(res.status).toBe(200);
    } finally {
      tg.child.kill('SIGTERM');
      await tg.exited;
    }
  });
});
