/** Reading topology files: YAML with line numbers kept, so every problem points at its line. */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import { TopologyError, type TopologyIssue } from './topology-error';
import type { ValidatedTopology } from './types';
import { validateTopology, type ValidateOptions } from './validate';

/** 1-based line of the node at `p`, or of its nearest existing parent. */
function lineFinder(doc: Document, lc: LineCounter): (p: ReadonlyArray<string | number>) => number | undefined {
  return (p) => {
    for (let n = p.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(p.slice(0, n), true);
      if (isNode(node) && node.range) return lc.linePos(node.range[0]).line;
    }
    return undefined;
  };
}

/** Parses and validates topology YAML; `fileName` names it in errors and anchors `use: ./x.js`. */
export function parseTopology(text: string, fileName: string, options: ValidateOptions = {}): ValidatedTopology {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  if (doc.errors.length > 0) {
    const issues: TopologyIssue[] = doc.errors.map((e) => {
      const line = e.linePos?.[0]?.line ?? (e.pos?.[0] !== undefined ? lc.linePos(e.pos[0]).line : undefined);
      const message = `YAML syntax: ${e.message.split('\n')[0]}`;
      return line === undefined ? { path: '', message } : { path: '', line, message };
    });
    throw new TopologyError(fileName, issues);
  }
  return validateTopology(doc.toJS(), fileName, { lineOf: lineFinder(doc, lc), ...options });
}

export function loadTopologyFile(file: string, options: ValidateOptions = {}): ValidatedTopology {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new TopologyError(file, [{ path: '', message: `cannot read the file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` }]);
  }
  return parseTopology(text, file, options);
}

/** Path of topology/default.yaml, from the sources or from dist/ (tsc does not copy YAML). */
export function defaultTopologyPath(): string {
  const here = path.join(__dirname, 'default.yaml');
  if (existsSync(here)) return here;
  return path.resolve(__dirname, '..', '..', 'topology', 'default.yaml');
}
