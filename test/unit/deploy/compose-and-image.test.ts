/**
 * No Docker engine runs here, so the compose stack and the image are checked statically: the compose
 * file parses, every service, file and port it references exists, Prometheus scrapes the workers'
 * metrics port, and the Dockerfile copies only files that exist and are in the build context.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { loadTopologyFile } from '../../../topology/load';
import { topicSchemas } from '../../../schemas/topics';
import { DEPLOY, REPO } from './deploy-paths';

const COMPOSE_DIR = path.join(DEPLOY, 'compose');
type Service = Record<string, any>;
const compose = parse(readFileSync(path.join(COMPOSE_DIR, 'compose.yaml'), 'utf8'), { merge: true }) as { services: Record<string, Service>; volumes?: Record<string, unknown> };
const services = compose.services;

function commandOf(s: Service): string[] {
  return Array.isArray(s.command) ? s.command.map(String) : String(s.command ?? '').split(/\s+/);
}

const workers = Object.entries(services).filter(([, s]) => commandOf(s)[0] === 'worker');

describe('deploy/compose/compose.yaml', () => {
  it('parses and has Kafka (KRaft), Redis, topic-init, 2 workers, the enforcer, Prometheus and Grafana', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['kafka', 'redis', 'topic-init', 'enforcer', 'prometheus', 'grafana']));
    expect(workers.map(([n]) => n).sort()).toEqual(['worker-1', 'worker-2']);
    expect(services.kafka.image).toMatch(/^apache\/kafka:\d/);
    expect(services.kafka.environment.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(Object.keys(services).some((n) => /zookeeper/i.test(n))).toBe(false);
    expect(commandOf(services.enforcer)[0]).toBe('enforce');
  });

  it('references only services, named volumes and host files that exist', () => {
    for (const [name, s] of Object.entries(services)) {
      const deps = Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {});
      for (const d of deps) expect(`${name} -> ${d}: ${d in services}`).toBe(`${name} -> ${d}: true`);
      for (const v of (s.volumes ?? []) as string[]) {
        const src = v.split(':')[0];
        if (src.startsWith('.') || src.startsWith('/')) {
          // deploy/grafana holds the dashboard another part of the project writes; the mount is checked below.
          if (src === '../grafana') continue;
          expect(`${name}: ${src} exists: ${existsSync(path.resolve(COMPOSE_DIR, src))}`).toBe(`${name}: ${src} exists: true`);
        } else {
          expect(`${name}: volume ${src}: ${compose.volumes !== undefined && src in compose.volumes}`).toBe(`${name}: volume ${src}: true`);
        }
      }
      if (s.build !== undefined) {
        const ctx = path.resolve(COMPOSE_DIR, s.build.context);
        expect(ctx).toBe(REPO);
        expect(existsSync(path.join(ctx, s.build.dockerfile))).toBe(true);
      }
    }
  });

  it('runs workers on a topology that validates, with --metrics-port and a health check on /readyz', () => {
    for (const [name, s] of workers) {
      const cmd = commandOf(s);
      const t = loadTopologyFile(path.join(REPO, cmd[cmd.indexOf('-t') + 1]));
      expect(t.source.kind).toBe('kafka');
      expect(t.state.backend).toBe('redis');
      expect(cmd[cmd.indexOf('--metrics-port') + 1]).toBe('9464');
      expect(s.environment.KAFKA_BROKERS).toBe('kafka:9092');
      expect(s.environment.REDIS_URL).toBe('redis://redis:6379');
      expect(`${name}: ${JSON.stringify(s.healthcheck.test)}`).toMatch(/127\.0\.0\.1:9464\/readyz/);
    }
  });

  it('creates every Prescient topic in topic-init', () => {
    const script = commandOf(services['topic-init']).join(' ');
    for (const topic of Object.keys(topicSchemas)) expect(script).toMatch(new RegExp(`(^|\\s)${topic}:\\d+`));
  });

  it('has Prometheus scrape /metrics of every worker on its metrics port', () => {
    const prom = parse(readFileSync(path.join(COMPOSE_DIR, 'prometheus.yml'), 'utf8')) as { scrape_configs: Array<{ metrics_path?: string; static_configs: Array<{ targets: string[] }> }> };
    const job = prom.scrape_configs.find((j) => j.static_configs.some((c) => c.targets.some((t) => t.startsWith('worker-'))));
    expect(job?.metrics_path ?? '/metrics').toBe('/metrics');
    const targets = job!.static_configs.flatMap((c) => c.targets).sort();
    expect(targets).toEqual(workers.map(([n]) => `${n}:9464`).sort());
  });

  it('provisions Grafana with the Prometheus data source and the deploy/grafana dashboard folder', () => {
    const g = services.grafana;
    const mounts = (g.volumes as string[]).map((v) => v.split(':'));
    const dash = mounts.find(([src]) => src === '../grafana');
    expect(dash).toBeDefined();
    const provider = parse(readFileSync(path.join(COMPOSE_DIR, 'grafana/provisioning/dashboards/prescient.yml'), 'utf8')) as { providers: Array<{ options: { path: string } }> };
    expect(provider.providers[0].options.path).toBe(dash![1]);
    const ds = parse(readFileSync(path.join(COMPOSE_DIR, 'grafana/provisioning/datasources/prometheus.yml'), 'utf8')) as { datasources: Array<{ url: string }> };
    expect(ds.datasources[0].url).toBe('http://prometheus:9090');
    // The dashboard JSON itself comes from another part of the project: when present it must parse.
    const dir = path.join(DEPLOY, 'grafana');
    if (existsSync(dir)) {
      for (const f of readdirSync(dir).filter((x) => x.endsWith('.json'))) expect(() => JSON.parse(readFileSync(path.join(dir, f), 'utf8'))).not.toThrow();
      const home = String(g.environment.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH);
      expect(home.startsWith(`${dash![1]}/`)).toBe(true);
      expect(existsSync(path.join(dir, path.basename(home)))).toBe(true);
    }
  });
});

describe('deploy/docker/Dockerfile', () => {
  const text = readFileSync(path.join(DEPLOY, 'docker', 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const stages = lines.filter((l) => /^FROM /i.test(l));
  const runtimeStart = lines.lastIndexOf(stages[stages.length - 1]);
  const runtime = lines.slice(runtimeStart);
  const ignored = readFileSync(path.join(REPO, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));

  it('is multi-stage: dev dependencies and the build stay out of the runtime stage, which installs --omit=dev', () => {
    expect(stages.length).toBeGreaterThanOrEqual(3);
    expect(text).toMatch(/npm ci --omit=dev/);
    expect(text).toMatch(/npm run build/);
    expect(runtime.some((l) => /npm (ci|install)/.test(l))).toBe(false);
    expect(runtime.some((l) => /apt-get install/.test(l))).toBe(false);
  });

  it('runs as a non-root user, checks /healthz and has the prescient CLI as entrypoint', () => {
    const user = runtime.filter((l) => /^USER /.test(l)).pop();
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^USER (root|0)(:|$)/);
    expect(runtime.find((l) => /^HEALTHCHECK /.test(l))).toMatch(/\/healthz/);
    const entry = JSON.parse(runtime.find((l) => /^ENTRYPOINT /.test(l))!.slice('ENTRYPOINT '.length)) as string[];
    expect(entry[0]).toBe('node');
    expect(entry[entry.length - 1]).toBe('dist/cli/main.js');
  });

  it('copies files that exist and are not excluded from the build context, including what dist reads at run time', () => {
    const copies = runtime.filter((l) => /^COPY /.test(l) && !/--from=/.test(l));
    const sources = copies.flatMap((l) => l.split(/\s+/).slice(1).filter((x) => !x.startsWith('--')).slice(0, -1));
    for (const src of sources) {
      const base = src.replace(/\/\*.*$/, '');
      expect(`${src}: ${existsSync(path.join(REPO, base))}`).toBe(`${src}: true`);
      expect(ignored.some((ig) => base === ig || base.startsWith(`${ig}/`))).toBe(false);
    }
    // What the compiled code looks up from the package root (schema-dir, lua-scripts, default-model, policies, load.ts).
    for (const needed of ['package.json', 'schemas/*.avsc', 'schemas/history', 'state/lua', 'models/default', 'policies', 'topology/*.yaml', 'deploy/regions']) {
      expect(sources).toContain(needed);
    }
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.git', '.deploy-run']));
  });
});
