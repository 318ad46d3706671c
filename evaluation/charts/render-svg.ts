/**
 * Renders a Vega-Lite spec to SVG with vega + vega-lite, which are ESM-only while this project is
 * commonjs: they are loaded with a real dynamic import. Where this process cannot import ESM (a vm
 * context without ESM support, e.g. jest), the same rendering runs in a child node process.
 */
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

// A Function body keeps `import()` from being compiled to `require()` by tsc's commonjs output.
const importEsm = new Function('m', 'return import(m)') as <T>(m: string) => Promise<T>;

interface VegaLiteModule {
  compile(spec: unknown): { spec: unknown };
}
interface VegaModule {
  parse(spec: unknown): unknown;
  View: new (runtime: unknown, options: { renderer: 'none' }) => { toSVG(): Promise<string>; finalize(): void };
}

export class ChartRenderError extends Error {
  constructor(readonly chart: string, reason: string) {
    super(`rendering ${chart}: ${reason}`);
    this.name = 'ChartRenderError';
  }
}

function moduleUrl(name: string): string {
  return pathToFileURL(require.resolve(name)).href;
}

/** `name` only labels errors. */
export async function renderVegaLiteSvg(spec: object, name = 'chart'): Promise<string> {
  let vl: VegaLiteModule;
  let vega: VegaModule;
  try {
    vl = await importEsm<VegaLiteModule>(moduleUrl('vega-lite'));
    vega = await importEsm<VegaModule>(moduleUrl('vega'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') throw new ChartRenderError(name, 'vega and vega-lite are not installed');
    return renderInChild(spec, name);
  }
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const CHILD_SCRIPT = `
const [vlUrl, vegaUrl] = process.argv.slice(1);
const chunks = [];
for await (const c of process.stdin) chunks.push(c);
const vl = await import(vlUrl);
const vega = await import(vegaUrl);
const view = new vega.View(vega.parse(vl.compile(JSON.parse(Buffer.concat(chunks).toString('utf8'))).spec), { renderer: 'none' });
process.stdout.write(await view.toSVG());
`;

function renderInChild(spec: object, name: string): string {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', CHILD_SCRIPT, moduleUrl('vega-lite'), moduleUrl('vega')], {
    input: JSON.stringify(spec),
    maxBuffer: 256 * 1024 * 1024,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new ChartRenderError(name, (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n').slice(0, 5).join('\n'));
  return r.stdout;
}
