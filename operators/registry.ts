/**
 * Finds operator definitions without a hand-kept list: every top-level module of this folder
 * that exports an `OperatorDefinition` is registered by its `name`. Helpers live in subfolders
 * (config/, internal/, ...) or in the skipped files below. Operators outside the tree are
 * loaded by path (`use: ./my-op.js` in a topology file) or with `registerOperator`.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { OperatorDefinition } from './contract';

// A definition's config type is only known to the operator itself.
export type AnyOperatorDefinition = OperatorDefinition<any, any, any>;

const SKIPPED = new Set(['contract', 'registry', 'index', 'packet-record']);

/** Discovery or lookup failed: duplicate names, a module that throws on load, an unknown operator. */
export class OperatorRegistryError extends Error {
  constructor(message: string, readonly file?: string, readonly operator?: string) {
    super(file ? `${message} (${file})` : message);
    this.name = 'OperatorRegistryError';
  }
}

/** True for a value shaped like an OperatorDefinition (name, configSchema with safeParse, create). */
export function isOperatorDefinition(v: unknown): v is AnyOperatorDefinition {
  if (typeof v !== 'object' || v === null) return false;
  const d = v as Record<string, unknown>;
  const schema = d.configSchema as { safeParse?: unknown } | undefined;
  return typeof d.name === 'string' && d.name.length > 0 && typeof d.create === 'function' &&
    typeof schema === 'object' && schema !== null && typeof schema.safeParse === 'function';
}

/** The definitions a module exports, in export order (a definition exported twice counts once). */
export function definitionsIn(mod: unknown): AnyOperatorDefinition[] {
  if (typeof mod !== 'object' || mod === null) return [];
  const out: AnyOperatorDefinition[] = [];
  for (const v of Object.values(mod as Record<string, unknown>)) if (isOperatorDefinition(v) && !out.includes(v)) out.push(v);
  return out;
}

function moduleExtension(): '.ts' | '.js' {
  // Under ts-jest this file is registry.ts and its siblings are .ts; under dist they are .js.
  return __filename.endsWith('.ts') ? '.ts' : '.js';
}

function isOperatorFile(file: string, ext: string): boolean {
  if (!file.endsWith(ext) || file.endsWith('.d.ts') || file.endsWith('.map')) return false;
  return !SKIPPED.has(file.slice(0, -ext.length)) && !file.includes('.test.') && !file.includes('.spec.');
}

export class OperatorRegistry {
  private readonly byName = new Map<string, { def: AnyOperatorDefinition; origin: string }>();
  private readonly byPath = new Map<string, AnyOperatorDefinition[]>();

  /** Registers a definition; a second one with the same name is an error (unless it is the same object). */
  register(def: AnyOperatorDefinition, origin = 'registerOperator'): void {
    if (!isOperatorDefinition(def)) throw new OperatorRegistryError('not an operator definition (needs name, configSchema, create)', origin);
    const prev = this.byName.get(def.name);
    if (prev !== undefined) {
      if (prev.def === def) return;
      throw new OperatorRegistryError(`duplicate operator name '${def.name}': already registered from ${prev.origin}`, origin, def.name);
    }
    this.byName.set(def.name, { def, origin });
  }

  /** Requires every operator module in `dir` (top level only) and registers what they export. */
  discover(dir: string, ext: string = moduleExtension()): this {
    if (!existsSync(dir)) return this;
    for (const file of readdirSync(dir).sort()) {
      const full = path.join(dir, file);
      if (!isOperatorFile(file, ext) || !statSync(full).isFile()) continue;
      for (const def of this.loadModule(full)) this.register(def, full);
    }
    return this;
  }

  /** Loads the definitions of a module outside the tree (not registered by name). */
  loadModule(file: string): AnyOperatorDefinition[] {
    const abs = path.resolve(file);
    const cached = this.byPath.get(abs);
    if (cached !== undefined) return cached;
    let mod: unknown;
    try {
      mod = require(abs);
    } catch (err) {
      throw new OperatorRegistryError(`cannot load operator module: ${(err as Error).message}`, abs);
    }
    const defs = definitionsIn(mod);
    this.byPath.set(abs, defs);
    return defs;
  }

  /**
   * The definition a module path names: its only definition, or the one after `#` in
   * `./file.js#name` when it exports several.
   */
  fromPath(file: string): AnyOperatorDefinition {
    const hash = file.lastIndexOf('#');
    const [modPath, wanted] = hash > 0 ? [file.slice(0, hash), file.slice(hash + 1)] : [file, undefined];
    if (!existsSync(modPath)) throw new OperatorRegistryError('operator module not found', modPath);
    const defs = this.loadModule(modPath);
    if (wanted !== undefined) {
      const d = defs.find((x) => x.name === wanted);
      if (d === undefined) throw new OperatorRegistryError(`module exports no operator named '${wanted}' (it exports: ${defs.map((x) => x.name).join(', ') || 'none'})`, modPath, wanted);
      return d;
    }
    if (defs.length !== 1) {
      throw new OperatorRegistryError(`module must export exactly one operator definition, found ${defs.length}${defs.length ? ` (${defs.map((x) => x.name).join(', ')}); pick one with '#name'` : ''}`, modPath);
    }
    return defs[0];
  }

  get(name: string): AnyOperatorDefinition | undefined {
    return this.byName.get(name)?.def;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  names(): string[] {
    return [...this.byName.keys()].sort();
  }

  definitions(): AnyOperatorDefinition[] {
    return this.names().map((n) => this.byName.get(n)!.def);
  }
}

/** True when a `use:` value is a module path rather than a registered name. */
export function isModulePath(use: string): boolean {
  return use.startsWith('./') || use.startsWith('../') || path.isAbsolute(use);
}

let builtIn: OperatorRegistry | undefined;

/** The registry of this folder's operators (discovered once) plus those added by `registerOperator`. */
export function defaultRegistry(): OperatorRegistry {
  if (builtIn === undefined) {
    const r = new OperatorRegistry();
    r.discover(__dirname);
    builtIn = r;
  }
  return builtIn;
}

/** Adds an operator defined outside operators/ to the default registry. */
export function registerOperator(def: AnyOperatorDefinition): void {
  defaultRegistry().register(def);
}
