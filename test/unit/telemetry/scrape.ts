/** Scrapes a Prometheus text endpoint and reads series values, for the telemetry tests. */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export async function get(port: number, path: string): Promise<{ status: number; text: string }> {
  const r = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: r.status, text: await r.text() };
}

export function parseMetrics(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (m === null) throw new Error(`unparsable metrics line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    out.push({ name: m[1], labels, value: m[3] === '+Inf' ? Infinity : Number(m[3]) });
  }
  return out;
}

export async function scrape(port: number): Promise<Sample[]> {
  const r = await get(port, '/metrics');
  if (r.status !== 200) throw new Error(`/metrics answered ${r.status}`);
  return parseMetrics(r.text);
}

/** Value of the one series with this name whose labels include `labels`; undefined when none. */
export function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const hits = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (hits.length > 1) throw new Error(`${hits.length} series match ${name} ${JSON.stringify(labels)}`);
  return hits[0]?.value;
}

/** Every series of `name`, as label value of `label` -> value. */
export function byLabel(samples: Sample[], name: string, label: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const s of samples) if (s.name === name) m.set(s.labels[label], s.value);
  return m;
}
