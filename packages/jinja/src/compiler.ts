/**
 * Code generator: turns the parsed template into the source of one JavaScript module whose
 * `root` and block functions append to a string. Template variables become JS locals where
 * Jinja's scoping allows; only free names are looked up in the context, once per function.
 */
import { TemplateAssertionError } from './errors.js';
import type { Node } from './parser.js';
import { hasPositionalVariant, passKind } from './runtime/calls.js';
import { Markup } from './runtime/markup.js';
import { makeFloat, PyFloat, pyStr } from './runtime/python.js';
import { DICT_METHODS } from './runtime/runtime.js';

/** The runtime function (runtime/python.ts) that gives each arithmetic operator Python's semantics. */
const BINARY_OPS = {
  Add: 'add',
  Sub: 'sub',
  Mul: 'mul',
  Div: 'truediv',
  FloorDiv: 'floordiv',
  Mod: 'mod',
  Pow: 'pow',
} as const;

const NOFOLD: unique symbol = Symbol('nofold');

/** What the code generator needs to know about the environment. */
export interface CompileOptions {
  name: string | null;
  filename: string | null;
  autoescape: boolean;
  filters: Record<string, unknown>;
  tests: Record<string, unknown>;
  finalize: unknown;
  sandboxed: boolean;
  isAsync: boolean;
  /** Generate generator functions for `Template.stream` (root and blocks yield chunks). */
  isStream?: boolean;
  /**
   * Ahead-of-time compilation: filters and tests unknown now (an app's own, registered later) are looked
   * up when the module is instantiated and called through the generic call path (their pass kind is read
   * then), instead of failing compilation.
   */
  precompiled?: boolean;
}

interface FnState {
  kind: 'root' | 'block' | 'macro' | 'loop';
  frees: Map<string, string>;
  temps: string[];
  top: FnState;
  pre: string[];
}

interface Scope {
  vars: Map<string, string>;
  parent: Scope | null;
  /** The template's top-level scope (sets there are exported to the context). */
  toplevel: boolean;
}

const js = (v: unknown): string => JSON.stringify(v);

const LOOP_ATTRS = new Set([
  'index',
  'index0',
  'revindex',
  'revindex0',
  'first',
  'last',
  'length',
  'depth',
  'depth0',
  'previtem',
  'nextitem',
  'cycle',
  'changed',
]);

const BOOL_KINDS = new Set(['Compare', 'Not', 'Test']);

/** Names assigned directly in a scope body (not inside nested scopes). */
function collectStores(nodes: Node[], into: string[] = []): string[] {
  const addTarget = (t: Node) => {
    if (t.kind === 'Name') into.push(t.name);
    else if (t.kind === 'Tuple') t.items.forEach(addTarget);
  };
  for (const n of nodes) {
    switch (n.kind) {
      case 'Assign':
      case 'AssignBlock':
        addTarget(n.target);
        break;
      case 'Macro':
        into.push(n.name);
        break;
      case 'Import':
        into.push(n.target);
        break;
      case 'FromImport':
        for (const [, alias] of n.names) into.push(alias);
        break;
      case 'If':
        collectStores(n.body, into);
        for (const e of n.elif) collectStores([e], into);
        collectStores(n.else_, into);
        break;
      case 'For':
        collectStores(n.else_, into);
        break;
      case 'Autoescape':
        collectStores(n.body, into);
        break;
    }
  }
  return into;
}

/** Visits every node below `n` (statements and expressions). `skip` prunes a subtree. */
function walk(n: unknown, fn: (node: Node) => boolean | undefined): void {
  if (Array.isArray(n)) {
    for (const c of n) walk(c, fn);
    return;
  }
  if (n === null || typeof n !== 'object') return;
  const node = n as Node;
  if (typeof node.kind !== 'string') return;
  if (fn(node) === false) return;
  for (const k in node) {
    if (k === 'kind' || k === 'lineno') continue;
    const v = node[k];
    if (v !== null && typeof v === 'object') walk(v, fn);
  }
}

function usesName(nodes: unknown, name: string, stopAtFor = false): boolean {
  let found = false;
  walk(nodes, (n) => {
    if (found) return false;
    if (n.kind === 'Name' && n.name === name && n.ctx === 'load') found = true;
    if (stopAtFor && n.kind === 'For') {
      if (usesName(n.iter, name) || usesName(n.else_, name, true)) found = true;
      return false;
    }
    if (n.kind === 'Block') return false;
    return undefined;
  });
  return found;
}

function hasScopedBlock(nodes: unknown): boolean {
  let found = false;
  walk(nodes, (n) => {
    if (n.kind === 'Block' && n.scoped) found = true;
    if (n.kind === 'For' || n.kind === 'Macro') return false;
    return !found;
  });
  return found;
}

/** Compiles a Template node into module source: `return function(rt, env) { ...; return { root, blocks } }`. */
export class CodeGenerator {
  private out: string[] = [];
  private ids = 0;
  private fn!: FnState;
  private scope: Scope | null = null;
  private ae: boolean | null;
  private soft = false;
  private hasExtends = false;
  private moduleConsts = new Map<string, string>();
  private modulePre: string[] = [];
  private blocks: { name: string; id: string; node: Node; ae: boolean | null }[] = [];
  private blockIds = new Map<string, string>();
  private loopStack: { hasElse: boolean }[] = [];
  private loopIds = new Set<string>();
  private macroInfo = new Map<
    string,
    { body: string; wrap: string; names: readonly string[]; raw: boolean }
  >();
  private lastMacroRaw = false;
  private lastMacroSimple = false;

  constructor(private o: CompileOptions) {
    this.ae = o.autoescape;
  }

  private id(prefix = 'l'): string {
    return `${prefix}${this.ids++}`;
  }
  private fail(msg: string, lineno: number): never {
    throw new TemplateAssertionError(msg, lineno, this.o.name, this.o.filename);
  }
  /** The template line being compiled; emitted lines carry it as a trailing marker comment. */
  private line = 1;
  private emit(s: string): void {
    // precompiled code keeps the template line in `L` (bundlers move code, so no line table maps it)
    if (this.o.precompiled && s[0] !== '}') this.out.push(`L = ${this.line}; ${s} /*@${this.line}*/`);
    else this.out.push(`${s} /*@${this.line}*/`);
  }
  private aw(expr: string): string {
    return this.o.isAsync ? `(await ${expr})` : expr;
  }
  private get asyncKw(): string {
    return this.o.isAsync ? 'async ' : '';
  }
  /** The render mode as the runtime expects it. */
  private get modeJs(): string {
    return this.o.isAsync ? 'true' : this.o.isStream ? '"stream"' : 'false';
  }
  private captureDepth = 0;
  /** Output after `{% extends %}` is dropped, except inside captures (set/filter blocks). */
  private guardOutput(): boolean {
    return this.hasExtends && this.fn.kind === 'root' && this.captureDepth === 0;
  }
  /** True where output may be yielded (stream mode, root/block function, not capturing). */
  private canYield(): boolean {
    return (
      !!this.o.isStream && (this.fn.kind === 'root' || this.fn.kind === 'block') && this.captureDepth === 0
    );
  }
  /** Writes the output of a call that returns a generator in stream mode (blocks, includes). */
  private writeGen(expr: string): void {
    if (!this.o.isStream) {
      this.writeRaw(this.aw(expr));
      return;
    }
    if (!this.canYield()) {
      this.writeRaw(`joinGen(${expr})`);
      return;
    }
    const guard = this.guardOutput() ? 'if (parent === null) ' : '';
    this.emit(`${guard}{ if (out) { yield out; out = ''; } yield* ${expr}; }`);
  }
  private temp(): string {
    const t = this.id('t');
    this.fn.temps.push(t);
    return t;
  }

  // ---------------------------------------------------------------------------------- module

  compile(tpl: Node): string {
    // blocks are found anywhere in the tree
    walk(tpl.body, (n) => {
      if (n.kind === 'Block') {
        const id = this.id('b_');
        this.blockIds.set(n.name, id);
      }
      if (n.kind === 'Extends') this.hasExtends = true;
      return undefined;
    });
    const rootSrc = this.compileFunction('root', 'root', (body) => {
      this.scope = { vars: new Map(), parent: null, toplevel: true };
      this.declareScope(collectStores(tpl.body), true);
      if (this.hasExtends) this.fn.pre.push('let parent = null;');
      this.statements(tpl.body);
      if (this.hasExtends) {
        if (this.o.isStream)
          this.emit(`if (parent !== null) { if (out) { yield out; out = ''; } yield* parent.root(ctx); }`);
        else this.emit(`if (parent !== null) out += ${this.aw('parent.root(ctx)')};`);
      }
      return body;
    });
    const blockSrcs: string[] = [];
    // blocks may nest: compile until all done
    for (let i = 0; i < this.blocks.length; i++) {
      const b = this.blocks[i]!;
      const saveAe = this.ae;
      this.ae = b.ae;
      blockSrcs.push(
        this.compileFunction(b.id, 'block', () => {
          this.scope = { vars: new Map(), parent: null, toplevel: false };
          if (b.node.required) {
            this.emit(`requiredBlock(${js(b.name)});`);
            return '';
          }
          if (usesName(b.node.body, 'super')) {
            const sid = this.id();
            this.scope.vars.set('super', sid);
            this.fn.pre.push(`const ${sid} = ctx.superBlock(${js(b.name)}, ${b.id});`);
          }
          this.declareScope(collectStores(b.node.body), false);
          this.statements(b.node.body);
          return '';
        }),
      );
      this.ae = saveAe;
    }
    const blockMap = this.blocks.map((b) => `${js(b.name)}: ${b.id}`).join(', ');
    return [
      '"use strict";',
      'const {str, esc, captured, getattr: GA, getitem: GI, call: CALL, Kwargs, starArgs, starKwargs, makeMacro, missingParam, iter, unpack, nsSet, dict, condUndefined, extend, include, importTemplate, importName, requiredBlock, LoopContext, TemplateReference, truthy, pyStr, add, sub, mul, truediv, floordiv, mod, pow, neg, pos, eq, ne, lt, le, gt, ge, contains, concat, markupJoin, slice, tuple, makeFloat, MISSING, Markup, joinGen, iterAsync} = rt;',
      'const U = env.undefined;',
      ...this.modulePre,
      rootSrc,
      ...blockSrcs,
      `return { root, blocks: { ${blockMap} } };`,
    ].join('\n');
  }

  /** Generates a top-level function (root or block) with its prologue. */
  private compileFunction(name: string, kind: 'root' | 'block', gen: (body: string) => string): string {
    const saveOut = this.out;
    const saveFn = this.fn;
    const saveScope = this.scope;
    this.out = [];
    const fn: FnState = { kind, frees: new Map(), temps: [], top: undefined as unknown as FnState, pre: [] };
    fn.top = fn;
    this.fn = fn;
    gen('');
    const body = this.out.join('\n');
    this.out = saveOut;
    this.fn = saveFn;
    this.scope = saveScope;
    const pre: string[] = [];
    for (const [n, id] of fn.frees) {
      if (n === 'self') pre.push(`const ${id} = new TemplateReference(ctx);`);
      else pre.push(`const ${id} = ${this.aw(`ctx.resolve(${js(n)})`)};`);
    }
    if (fn.temps.length) pre.push(`let ${fn.temps.join(', ')};`);
    const inner = `${fn.pre.join('\n')}\n${pre.join('\n')}\n${body}\n${this.o.isStream ? 'if (out) yield out;' : 'return out;'}`;
    const head = this.o.isStream ? `function* ${name}(ctx)` : `${this.asyncKw}function ${name}(ctx)`;
    return `${head} {\nlet out = '';\n${this.guardBody(inner)}\n}`;
  }

  /**
   * Precompiled code has no source mapping (bundlers move it): each function keeps the template line it
   * reached in `L` and notes (template, line) on the errors passing through, so they still say where.
   * Free while nothing throws (apart from the assignments to `L`).
   */
  private guardBody(body: string): string {
    if (!this.o.precompiled) return body;
    return `let L = 0;\ntry {\n${body}\n} catch (e) { throw rt.noteTemplate(e, ${js(this.o.name)}, L); }`;
  }

  // ---------------------------------------------------------------------------------- scopes

  /** Declares names in the current scope, initialising each from the enclosing resolution. */
  private declareScope(names: Iterable<string>, rootInit: boolean): void {
    const scope = this.scope!;
    const uniq = new Set(names);
    for (const n of uniq) {
      if (scope.vars.has(n)) continue;
      const init = rootInit ? this.aw(`ctx.resolve(${js(n)})`) : this.lookup(n);
      const id = this.id();
      scope.vars.set(n, id);
      this.emit(`let ${id} = ${init};`);
    }
  }

  private pushScope(toplevel = false): Scope {
    this.scope = { vars: new Map(), parent: this.scope, toplevel };
    return this.scope;
  }
  private popScope(): void {
    this.scope = this.scope!.parent;
  }

  private lookup(name: string): string {
    for (let s = this.scope; s; s = s.parent) {
      const id = s.vars.get(name);
      if (id) return id;
    }
    const top = this.fn.top;
    let id = top.frees.get(name);
    if (!id) {
      id = this.id('f');
      top.frees.set(name, id);
    }
    return id;
  }

  /** Names visible as JS locals outside the template's top level (passed to includes). */
  private localsObject(withLoop = false): string {
    const seen = new Set<string>();
    const parts: string[] = [];
    for (let s = this.scope; s; s = s.parent) {
      if (s.toplevel) continue;
      for (const [n, id] of s.vars) {
        if (seen.has(n) || (n === 'loop' && !withLoop) || n === 'super') continue;
        seen.add(n);
        parts.push(`${js(n)}: ${id}`);
      }
    }
    return parts.length ? `{${parts.join(', ')}}` : 'null';
  }

  // ---------------------------------------------------------------------------------- statements

  private statements(nodes: Node[]): void {
    let pending: string[] = [];
    const flush = () => {
      if (!pending.length) return;
      const expr = pending.join('\n+ ');
      if (this.guardOutput()) this.emit(`if (parent === null) out += ${expr};`);
      else this.emit(`out += ${expr};`);
      pending = [];
    };
    for (const n of nodes) {
      if (n.kind === 'Output') {
        for (const c of n.nodes) {
          this.line = c.lineno;
          const piece = this.outputPiece(c);
          if (piece !== null)
            pending.push(
              this.o.precompiled
                ? `(L = ${c.lineno}, ${piece}) /*@${c.lineno}*/`
                : `${piece} /*@${c.lineno}*/`,
            );
        }
        continue;
      }
      flush();
      this.line = n.lineno;
      this.statement(n);
    }
    flush();
  }

  private outputPiece(c: Node): string | null {
    if (c.kind === 'TemplateData') return c.data ? js(c.data) : null;
    const fin = this.o.finalize;
    if (
      !fin &&
      c.kind === 'Const' &&
      !c.float &&
      (typeof c.value === 'string' || (typeof c.value === 'number' && Number.isInteger(c.value)))
    ) {
      const s = String(c.value);
      if (this.ae === true)
        return js(
          s.replace(
            /[&<>"']/g,
            (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' })[ch]!,
          ),
        );
      if (this.ae === false) return js(s);
    }
    if (!fin && this.ae === true && c.kind === 'Call') {
      // a raw macro's output is already HTML: write it without wrapping and escaping
      const d = this.directMacroCall(c, []);
      if (d?.raw) return `(${d.test} ? ${d.body} : esc(${d.general}))`;
    }
    if (!fin && this.ae !== null && c.kind === 'CondExpr' && c.expr2) {
      // convert each branch for output: constant branches are escaped here, not on every render
      const saveSoft = this.soft;
      this.soft = true;
      const r = `(${this.cond(c.test)} ? ${this.outputPiece(c.expr1)} : ${this.outputPiece(c.expr2)})`;
      this.soft = saveSoft;
      return r;
    }
    let e = this.expr(c);
    if (fin) {
      const k = passKind(fin);
      const first =
        k === 'context'
          ? 'ctx, '
          : k === 'evalContext'
            ? 'ctx.evalContext, '
            : k === 'environment'
              ? 'env, '
              : '';
      e = this.aw(`env.finalize(${first}${e})`);
    }
    if (this.ae === true) return `esc(${e})`;
    if (this.ae === false) return `str(${e})`;
    return `(ctx.evalContext.autoescape ? esc(${e}) : str(${e}))`;
  }

  private writeRaw(expr: string): void {
    if (this.guardOutput()) this.emit(`if (parent === null) out += ${expr};`);
    else this.emit(`out += ${expr};`);
  }

  private statement(n: Node): void {
    switch (n.kind) {
      case 'If':
        this.visitIf(n);
        return;
      case 'For':
        this.visitFor(n);
        return;
      case 'Assign':
        this.visitAssign(n);
        return;
      case 'AssignBlock':
        this.visitAssignBlock(n);
        return;
      case 'With':
        this.visitWith(n);
        return;
      case 'Macro':
        this.visitMacro(n);
        return;
      case 'CallBlock':
        this.visitCallBlock(n);
        return;
      case 'FilterBlock':
        this.visitFilterBlock(n);
        return;
      case 'Block':
        this.visitBlock(n);
        return;
      case 'Extends':
        this.emit(
          `parent = extend(env, ctx, ${this.expr(n.template)}, ${js(this.o.name)}, parent, ${this.modeJs});`,
        );
        return;
      case 'Include':
        this.visitInclude(n);
        return;
      case 'Import':
        this.visitImport(n);
        return;
      case 'FromImport':
        this.visitFromImport(n);
        return;
      case 'Autoescape':
        this.visitAutoescape(n);
        return;
      case 'Break':
      case 'Continue':
        this.emit(n.kind === 'Break' ? 'break;' : 'continue;');
        return;
      case 'ExprStmt':
        this.emit(`${this.expr(n.node)};`);
        return;
      case 'Debug':
        this.writeRaw(`str(rt.debugInfo(ctx, ${this.localsObject(true)}))`);
        return;
      case 'Output':
        this.statements([n]);
        return;
    }
    throw new Error(`cannot compile ${n.kind}`);
  }

  private cond(n: Node): string {
    const e = this.expr(n);
    return BOOL_KINDS.has(n.kind) ? e : `truthy(${e})`;
  }

  private visitIf(n: Node): void {
    const saveSoft = this.soft;
    this.soft = true;
    this.emit(`if (${this.cond(n.test)}) {`);
    this.statements(n.body);
    for (const e of n.elif) {
      this.emit(`} else if (${this.cond(e.test)}) {`);
      this.statements(e.body);
    }
    if (n.else_.length) {
      this.emit('} else {');
      this.statements(n.else_);
    }
    this.emit('}');
    this.soft = saveSoft;
  }

  private bindTarget(t: Node, valueJs: string): void {
    if (t.kind === 'Name') {
      this.emit(`${this.lookup(t.name)} = ${valueJs};`);
      return;
    }
    if (t.kind === 'Tuple') {
      const tmp = this.temp();
      this.emit(`${tmp} = unpack(${valueJs}, ${t.items.length});`);
      t.items.forEach((c: Node, i: number) => {
        this.bindTarget(c, `${tmp}[${i}]`);
      });
      return;
    }
    this.fail(`can't assign to '${t.kind}'`, t.lineno);
  }

  private targetNames(t: Node, into: string[] = []): string[] {
    if (t.kind === 'Name') into.push(t.name);
    else if (t.kind === 'Tuple') for (const c of t.items) this.targetNames(c, into);
    return into;
  }

  private visitFor(n: Node): void {
    const saveSoft = this.soft;
    this.soft = false;
    const usesLoop = n.recursive || usesName(n.body, 'loop', true) || hasScopedBlock(n.body);
    const iterJs = this.expr(n.iter);
    let recFn: string | null = null;
    let depthVar = '0';
    let saveOut: string[] | null = null;
    let saveFnState: FnState | null = null;
    if (n.recursive) {
      recFn = this.id('loopfn');
      depthVar = this.id('d');
      saveOut = this.out;
      this.out = [];
      saveFnState = this.fn;
      this.fn = { kind: 'loop', frees: new Map(), temps: [], top: this.fn.top, pre: [] };
    }
    const itemsVar = this.id('it');
    this.emit('{');
    const src = n.recursive ? 'src' : iterJs;
    this.emit(`let ${itemsVar} = ${this.o.isAsync ? `await iterAsync(${src})` : `iter(${src})`};`);
    const scope = this.pushScope();
    const targetNames = this.targetNames(n.target);
    for (const tn of targetNames) {
      const id = this.id();
      scope.vars.set(tn, id);
      this.emit(`let ${id};`);
    }
    if (n.test) {
      const filtered = this.id('fl');
      const item = this.id('x');
      this.emit(`const ${filtered} = [];`);
      this.emit(`for (const ${item} of ${itemsVar}) {`);
      this.bindTarget(n.target, item);
      this.emit(`if (${this.cond(n.test)}) ${filtered}.push(${item});`);
      this.emit('}');
      this.emit(`${itemsVar} = ${filtered};`);
    }
    let loopId: string | null = null;
    if (usesLoop) {
      loopId = this.id();
      this.loopIds.add(loopId);
      scope.vars.set('loop', loopId);
      const ae = this.ae === null ? 'ctx.evalContext.autoescape' : String(this.ae);
      this.emit(`const ${loopId} = new LoopContext(${itemsVar}, U, ${depthVar}, ${recFn ?? 'null'}, ${ae});`);
    }
    const noIter = n.else_.length ? this.id('e') : null;
    if (noIter) this.emit(`let ${noIter} = true;`);
    const idx = this.id('i');
    this.emit(`for (let ${idx} = 0, n = ${itemsVar}.length; ${idx} < n; ${idx}++) {`);
    if (loopId) this.emit(`${loopId}.index0 = ${idx};`);
    this.bindTarget(n.target, `${itemsVar}[${idx}]`);
    // names set inside the body are per-iteration locals
    this.pushScope();
    const stores = collectStores(n.body).filter((x) => !scope.vars.has(x));
    this.declareScope(stores, false);
    this.loopStack.push({ hasElse: !!noIter });
    this.statements(n.body);
    this.loopStack.pop();
    this.popScope();
    if (noIter) this.emit(`${noIter} = false;`);
    if (this.canYield()) this.emit(`if (out.length > 8192) { yield out; out = ''; }`);
    this.emit('}');
    this.popScope();
    if (noIter) {
      this.emit(`if (${noIter}) {`);
      this.statements(n.else_);
      this.emit('}');
    }
    this.emit('}');
    if (n.recursive) {
      const body = this.out.join('\n');
      const fnState = this.fn;
      this.out = saveOut!;
      this.fn = saveFnState!;
      const temps = fnState.temps.length ? `let ${fnState.temps.join(', ')};` : '';
      this.emit(
        `const ${recFn} = ${this.asyncKw}function (src, ${depthVar}) {\nlet out = '';\n${temps}\n${body}\nreturn out;\n};`,
      );
      this.writeRaw(this.aw(`${recFn}(${iterJs}, 0)`));
    }
    this.soft = saveSoft;
  }

  private exportAssign(name: string, id: string): void {
    if (this.scope!.toplevel && this.fn.kind === 'root') {
      this.emit(`ctx.vars[${js(name)}] = ${id};`);
      if (!name.startsWith('_')) this.emit(`ctx.exportedVars.add(${js(name)});`);
    }
  }

  private assignTo(target: Node, valueJs: string): void {
    if (target.kind === 'NSRef') {
      this.emit(`nsSet(${this.lookup(target.name)}, ${js(target.attr)}, ${valueJs});`);
      return;
    }
    this.bindTarget(target, valueJs);
    for (const name of this.targetNames(target)) this.exportAssign(name, this.lookup(name));
  }

  private visitAssign(n: Node): void {
    this.assignTo(n.target, this.expr(n.node));
  }

  /** Runs `gen` with output captured into a fresh string; returns the JS variable holding it. */
  private capture(gen: () => void): string {
    const save = this.id('o');
    const res = this.id('c');
    this.emit(`const ${save} = out; out = '';`);
    this.emit('{');
    this.captureDepth++;
    gen();
    this.captureDepth--;
    this.emit('}');
    this.emit(`const ${res} = out; out = ${save};`);
    return res;
  }

  private capturedValue(v: string): string {
    if (this.ae === null) return `captured(${v}, ctx.evalContext.autoescape)`;
    return this.ae ? `new Markup(${v})` : v;
  }

  private visitAssignBlock(n: Node): void {
    const saveSoft = this.soft;
    this.soft = false;
    const c = this.capture(() => {
      this.pushScope();
      this.declareScope(collectStores(n.body), false);
      this.statements(n.body);
      this.popScope();
    });
    let value = this.capturedValue(c);
    if (n.filter) value = this.filterChain(n.filter, value);
    this.soft = saveSoft;
    this.assignTo(n.target, value);
  }

  private visitWith(n: Node): void {
    const saveSoft = this.soft;
    this.soft = false;
    const values = n.values.map((v: Node) => this.expr(v));
    this.emit('{');
    const tmpVals = values.map((v: string) => {
      const t = this.temp();
      this.emit(`${t} = ${v};`);
      return t;
    });
    this.pushScope();
    const names = n.targets.flatMap((t: Node) => this.targetNames(t));
    for (const nm of new Set<string>(names)) {
      const id = this.id();
      this.scope!.vars.set(nm, id);
      this.emit(`let ${id};`);
    }
    n.targets.forEach((t: Node, i: number) => {
      this.bindTarget(t, tmpVals[i]!);
    });
    this.declareScope(collectStores(n.body), false);
    this.statements(n.body);
    this.popScope();
    this.emit('}');
    this.soft = saveSoft;
  }

  /** Emits a macro-like function (macro body or call-block caller); returns the JS expression making it. */
  private macroFunction(n: Node, name: string, body: Node[], bodyVar?: string): string {
    const saveSoft = this.soft;
    this.soft = false;
    const args: string[] = n.args;
    const defaults: Node[] = n.defaults;
    const explicitCaller = args.includes('caller');
    if (
      explicitCaller &&
      usesName(body, 'caller') &&
      args.indexOf('caller') < args.length - defaults.length
    ) {
      this.fail(
        "When defining macros or call blocks the special 'caller' argument must be omitted or be given a default.",
        n.lineno,
      );
    }
    const hasCaller = !explicitCaller && usesName(body, 'caller');
    const catchKwargs = !args.includes('kwargs') && usesName(body, 'kwargs');
    const catchVarargs = !args.includes('varargs') && usesName(body, 'varargs');
    const saveOut = this.out;
    const saveFn = this.fn;
    const saveLoops = this.loopStack;
    this.loopStack = [];
    this.out = [];
    this.fn = { kind: 'macro', frees: new Map(), temps: [], top: this.fn.top, pre: [] };
    const scope = this.pushScope();
    const params: string[] = [];
    const paramNames = [...args];
    if (hasCaller) paramNames.push('caller');
    if (catchKwargs) paramNames.push('kwargs');
    if (catchVarargs) paramNames.push('varargs');
    for (const p of paramNames) {
      const id = this.id();
      scope.vars.set(p, id);
      params.push(id);
    }
    const firstDefault = args.length - defaults.length;
    args.forEach((a, i) => {
      const id = scope.vars.get(a)!;
      if (i >= firstDefault)
        this.emit(`if (${id} === MISSING) ${id} = ${this.expr(defaults[i - firstDefault]!)};`);
      else this.emit(`if (${id} === MISSING) ${id} = missingParam(U, ${js(a)});`);
    });
    this.pushScope();
    this.declareScope(
      collectStores(body).filter((x) => !scope.vars.has(x)),
      false,
    );
    this.statements(body);
    this.popScope();
    this.popScope();
    const src = this.out.join('\n');
    const temps = this.fn.temps.length ? `let ${this.fn.temps.join(', ')};` : '';
    this.out = saveOut;
    this.fn = saveFn;
    this.loopStack = saveLoops;
    this.soft = saveSoft;
    this.lastMacroSimple = !hasCaller && !catchKwargs && !catchVarargs;
    // a simple sync macro under autoescape returns its plain output; makeMacro wraps it in Markup,
    // and direct calls whose result is written out skip the wrapper (and its escape) entirely
    const raw = bodyVar !== undefined && this.lastMacroSimple && this.ae === true && !this.asyncKw;
    this.lastMacroRaw = raw;
    const ret = raw
      ? 'out'
      : this.ae === null
        ? 'captured(out, ctx.evalContext.autoescape)'
        : this.ae
          ? 'new Markup(out)'
          : 'out';
    const fnSrc = `${this.asyncKw}function (${params.join(', ')}) {\nlet out = '';\n${temps}\n${this.guardBody(`${src}\nreturn ${ret};`)}\n}`;
    const fnExpr = bodyVar ? `${bodyVar} = ${fnSrc}` : fnSrc;
    // the argument names live at module level: makeMacro caches the macro's static properties by them
    const argsId = `A${this.ids++}`;
    this.modulePre.push(`const ${argsId} = ${js(args)};`);
    return `makeMacro(U, ${fnExpr}, ${js(name)}, ${argsId}, ${catchKwargs}, ${catchVarargs}, ${hasCaller}${raw ? ', true' : ''})`;
  }

  private visitMacro(n: Node): void {
    const id = this.lookup(n.name);
    if (this.o.sandboxed) {
      this.emit(`${id} = ${this.macroFunction(n, n.name, n.body)};`);
    } else {
      // remember the body and wrapper so calls in this function can skip argument binding
      const bodyVar = this.temp();
      const wrapVar = this.temp();
      this.emit(`${id} = ${wrapVar} = ${this.macroFunction(n, n.name, n.body, bodyVar)};`);
      if (this.lastMacroSimple) {
        this.macroInfo.set(id, {
          body: bodyVar,
          wrap: wrapVar,
          names: (n.args as string[]).slice(),
          raw: this.lastMacroRaw,
        });
      }
    }
    this.exportAssign(n.name, id);
  }

  private visitCallBlock(n: Node): void {
    const callerJs = this.macroFunction(n, 'caller', n.body);
    const call = n.call;
    const res = this.callExpr(call, [['caller', callerJs]]);
    this.writeRaw(`str(${res})`);
  }

  private visitFilterBlock(n: Node): void {
    const saveSoft = this.soft;
    this.soft = false;
    const c = this.capture(() => {
      this.pushScope();
      this.declareScope(collectStores(n.body), false);
      this.statements(n.body);
      this.popScope();
    });
    const v = this.filterChain(n.filter, this.capturedValue(c));
    this.soft = saveSoft;
    this.writeRaw(`str(${v})`);
  }

  private visitBlock(n: Node): void {
    const id = this.blockIds.get(n.name)!;
    if (!this.blocks.some((b) => b.node === n)) this.blocks.push({ name: n.name, id, node: n, ae: this.ae });
    const ctxJs = n.scoped ? `ctx.derived(${this.localsObject(true)} ?? {})` : 'ctx';
    this.writeGen(`ctx.blocks[${js(n.name)}][0](${ctxJs})`);
  }

  private visitInclude(n: Node): void {
    const locals = n.withContext ? this.localsObject() : 'null';
    this.writeGen(
      `include(env, ctx, ${this.expr(n.template)}, ${locals}, ${n.withContext}, ${n.ignoreMissing}, ${js(this.o.name)}, ${this.modeJs})`,
    );
  }

  private visitImport(n: Node): void {
    const locals = n.withContext ? this.localsObject() : 'null';
    const id = this.lookup(n.target);
    this.emit(
      `${id} = ${this.aw(`importTemplate(env, ctx, ${this.expr(n.template)}, ${locals}, ${n.withContext}, ${js(this.o.name)}, ${this.o.isAsync})`)};`,
    );
    if (this.scope!.toplevel && this.fn.kind === 'root') {
      this.emit(`ctx.vars[${js(n.target)}] = ${id}; ctx.exportedVars.delete(${js(n.target)});`);
    }
  }

  private visitFromImport(n: Node): void {
    const locals = n.withContext ? this.localsObject() : 'null';
    const mod = this.temp();
    const tn = this.temp();
    this.emit(`${tn} = ${this.expr(n.template)};`);
    this.emit(
      `${mod} = ${this.aw(`importTemplate(env, ctx, ${tn}, ${locals}, ${n.withContext}, ${js(this.o.name)}, ${this.o.isAsync})`)};`,
    );
    for (const [name, alias] of n.names as [string, string][]) {
      const id = this.lookup(alias);
      this.emit(`${id} = importName(U, ${mod}, ${js(name)}, ${tn}, ${n.lineno});`);
      if (this.scope!.toplevel && this.fn.kind === 'root') {
        this.emit(`ctx.vars[${js(alias)}] = ${id}; ctx.exportedVars.delete(${js(alias)});`);
      }
    }
  }

  private visitAutoescape(n: Node): void {
    const save = this.ae;
    const v = n.value;
    const saveVar = this.id('ae');
    this.emit(`const ${saveVar} = ctx.evalContext.autoescape;`);
    if (v.kind === 'Const') {
      this.ae = !!v.value;
      this.emit(`ctx.evalContext.autoescape = ${this.ae};`);
    } else {
      this.ae = null;
      this.emit(`ctx.evalContext.autoescape = ${this.cond(v)};`);
    }
    this.statements(n.body);
    this.emit(`ctx.evalContext.autoescape = ${saveVar};`);
    this.ae = save;
  }

  // ---------------------------------------------------------------------------------- expressions

  private expr(n: Node): string {
    switch (n.kind) {
      case 'Const':
        return this.constExpr(n);
      case 'Name':
        return this.lookup(n.name);
      case 'Tuple':
        return `tuple([${n.items.map((i: Node) => this.expr(i)).join(', ')}])`;
      case 'List':
        return `[${n.items.map((i: Node) => this.expr(i)).join(', ')}]`;
      case 'Dict':
        return `dict([${n.items.map(([k, v]: [Node, Node]) => `${this.expr(k)}, ${this.expr(v)}`).join(', ')}])`;
      case 'Getattr':
        if (n.node.kind === 'Name' && n.node.name === 'loop' && LOOP_ATTRS.has(n.attr)) {
          const id = this.lookup('loop');
          if (this.loopIds.has(id)) return `${id}.${n.attr}`;
        }
        if (this.o.sandboxed) return `env.getattr(${this.expr(n.node)}, ${js(n.attr)})`;
        if (/^[A-Za-z_$][\w$]*$/.test(n.attr) && !(n.attr in Object.prototype) && !DICT_METHODS.has(n.attr)) {
          // inline cache friendly fast path for plain objects; everything else goes through getattr
          const a = this.temp();
          const b = this.temp();
          return `(typeof (${a} = ${this.expr(n.node)}) === 'object' && ${a} !== null && ${a}.constructor === Object && (${b} = ${a}.${n.attr}) !== undefined ? ${b} : GA(env, ${a}, ${js(n.attr)}))`;
        }
        return `GA(env, ${this.expr(n.node)}, ${js(n.attr)})`;
      case 'Getitem': {
        if (n.arg.kind === 'Slice') {
          const s = n.arg;
          const part = (x: Node | null) => (x ? this.expr(x) : 'null');
          return `slice(${this.expr(n.node)}, ${part(s.start)}, ${part(s.stop)}, ${part(s.step)})`;
        }
        if (this.o.sandboxed) return `env.getitem(${this.expr(n.node)}, ${this.expr(n.arg)})`;
        return `GI(env, ${this.expr(n.node)}, ${this.expr(n.arg)})`;
      }
      case 'Slice':
        this.fail('slice outside of a subscript', n.lineno);
        break;
      case 'Add':
      case 'Sub':
      case 'Mul':
      case 'Div':
      case 'FloorDiv':
      case 'Mod':
      case 'Pow':
        return `${BINARY_OPS[n.kind]}(${this.expr(n.left)}, ${this.expr(n.right)})`;
      case 'Neg':
        return `neg(${this.expr(n.node)})`;
      case 'Pos':
        return `pos(${this.expr(n.node)})`;
      case 'Not':
        return `!${this.cond(n.node)}`;
      case 'And': {
        const t = this.temp();
        return `(truthy(${t} = ${this.expr(n.left)}) ? ${this.expr(n.right)} : ${t})`;
      }
      case 'Or': {
        const t = this.temp();
        return `(truthy(${t} = ${this.expr(n.left)}) ? ${t} : ${this.expr(n.right)})`;
      }
      case 'Concat': {
        // Jinja folds a concatenation of constants at compile time into a plain str (Markup is lost)
        const folded = this.foldConcat(n);
        if (folded !== null) return js(folded);
        const parts = n.nodes.map((x: Node) => this.expr(x)).join(', ');
        if (this.ae === true) return `markupJoin(${parts})`;
        if (this.ae === false) return `concat(${parts})`;
        return `(ctx.evalContext.autoescape ? markupJoin : concat)(${parts})`;
      }
      case 'Compare':
        return this.compareExpr(n);
      case 'CondExpr': {
        const saveSoft = this.soft;
        this.soft = true;
        const r = `(${this.cond(n.test)} ? ${this.expr(n.expr1)} : ${n.expr2 ? this.expr(n.expr2) : `condUndefined(U, ${n.lineno})`})`;
        this.soft = saveSoft;
        return r;
      }
      case 'Filter':
        return this.filterChain(n, null);
      case 'Test':
        return this.testExpr(n);
      case 'Call':
        return this.callExpr(n, []);
      case 'MarkSafeIfAutoescape': {
        const v = this.expr(n.node);
        if (this.ae === true) return `new Markup(${v})`;
        if (this.ae === false) return v;
        const t = this.temp();
        return `(${t} = ${v}, ctx.evalContext.autoescape ? new Markup(${t}) : ${t})`;
      }
    }
    throw new Error(`cannot compile expression ${n.kind}`);
  }

  /** Compile-time value of a constant expression (literals and unmarked filters over them), or NOFOLD. */
  private constValue(n: Node): unknown {
    if (n.kind === 'Const') return n.float && Number.isInteger(n.value) ? makeFloat(n.value) : n.value;
    if (n.kind === 'Concat') {
      const s = this.foldConcat(n);
      return s === null ? NOFOLD : s;
    }
    if (n.kind === 'Filter' && n.node && !n.dynArgs && !n.dynKwargs && !n.kwargs.length) {
      const fn = this.o.filters[n.name];
      if (typeof fn !== 'function' || passKind(fn)) return NOFOLD;
      const value = this.constValue(n.node);
      if (value === NOFOLD) return NOFOLD;
      const args = n.args.map((a: Node) => this.constValue(a));
      if (args.includes(NOFOLD)) return NOFOLD;
      try {
        return (fn as (...a: unknown[]) => unknown)(value, ...args);
      } catch {
        return NOFOLD;
      }
    }
    return NOFOLD;
  }

  private foldConcat(n: Node): string | null {
    let out = '';
    for (const part of n.nodes as Node[]) {
      const v = this.constValue(part);
      if (
        v === NOFOLD ||
        (v !== null && typeof v === 'object' && !(v instanceof Markup) && !(v instanceof PyFloat))
      ) {
        return null;
      }
      out += pyStr(v);
    }
    return out;
  }

  private constExpr(n: Node): string {
    const v = n.value;
    if (typeof v === 'number') {
      if (n.float && Number.isInteger(v)) return `makeFloat(${v})`;
      if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
      return String(v);
    }
    return js(v);
  }

  private compareExpr(n: Node): string {
    const fnFor = (op: string, a: string, b: string): string => {
      switch (op) {
        case 'eq':
          return `eq(${a}, ${b})`;
        case 'ne':
          return `ne(${a}, ${b})`;
        case 'lt':
          return `lt(${a}, ${b})`;
        case 'lteq':
          return `le(${a}, ${b})`;
        case 'gt':
          return `gt(${a}, ${b})`;
        case 'gteq':
          return `ge(${a}, ${b})`;
        case 'in':
          return `contains(${b}, ${a})`;
        case 'notin':
          return `!contains(${b}, ${a})`;
      }
      throw new Error(op);
    };
    const ops: [string, Node][] = n.ops;
    if (ops.length === 1) return fnFor(ops[0]![0], this.expr(n.expr), this.expr(ops[0]![1]));
    const parts: string[] = [];
    let left = this.expr(n.expr);
    for (let i = 0; i < ops.length; i++) {
      const [op, rn] = ops[i]!;
      if (i < ops.length - 1) {
        const t = this.temp();
        parts.push(fnFor(op, left, `(${t} = ${this.expr(rn)})`));
        left = t;
      } else parts.push(fnFor(op, left, this.expr(rn)));
    }
    return `(${parts.join(' && ')})`;
  }

  /** Argument list (without the opening value) of a call/filter/test. */
  private argList(n: Node, extraKwargs: [string, string][] = []): { args: string; kwargs: string | null } {
    const args: string[] = n.args.map((a: Node) => this.expr(a));
    if (n.dynArgs) args.push(`...starArgs(${this.expr(n.dynArgs)})`);
    // computed keys: a keyword named __proto__ must stay an own property
    const kw: string[] = (n.kwargs as [string, Node][]).map(([k, v]) => `[${js(k)}]: ${this.expr(v)}`);
    for (const [k, v] of extraKwargs) kw.push(`[${js(k)}]: ${v}`);
    let kwargs: string | null = null;
    if (kw.length || n.dynKwargs) {
      kwargs = `new Kwargs({${kw.join(', ')}})`;
      if (n.dynKwargs) {
        // the callee Python names in its "got multiple values" TypeError
        const callee =
          n.kind === 'Filter' || n.kind === 'Test' ? `${n.name}()` : 'jinja2.runtime.Context.call()';
        kwargs = `starKwargs(${kwargs}, ${this.expr(n.dynKwargs)}, ${js(callee)})`;
      }
    }
    return { args: args.join(', '), kwargs };
  }

  private moduleRef(table: 'filters' | 'tests', name: string, lineno: number): { id: string; fn: unknown } {
    const fn = this.o[table][name];
    const key = `${table}:${name}`;
    let id = this.moduleConsts.get(key);
    if (fn === undefined && !this.soft && !this.o.precompiled) {
      this.fail(`No ${table === 'filters' ? 'filter' : 'test'} named '${name}'.`, lineno);
    }
    if (!id) {
      id = `${table === 'filters' ? 'F' : 'T'}${this.ids++}`;
      this.moduleConsts.set(key, id);
      const missing = table === 'filters' ? 'missingFilter' : 'missingTest';
      this.modulePre.push(`const ${id} = env.${table}[${js(name)}] ?? rt.${missing}(${js(name)});`);
    }
    return { id, fn };
  }

  private passPrefix(fn: unknown): string {
    const k = passKind(fn);
    return k === 'context'
      ? 'ctx, '
      : k === 'evalContext'
        ? 'ctx.evalContext, '
        : k === 'environment'
          ? 'env, '
          : '';
  }

  /** A filter node (possibly chained through `node`); `input` replaces the innermost null node. */
  private filterChain(n: Node, input: string | null): string {
    const value = n.node
      ? input !== null && n.node.kind === 'Filter'
        ? this.filterChain(n.node, input)
        : this.expr(n.node)
      : input!;
    const { id, fn } = this.moduleRef('filters', n.name, n.lineno);
    const { args, kwargs } = this.argList(n);
    if (fn === undefined && this.o.precompiled) {
      const list = [value, args].filter((x) => x).join(', ');
      return this.aw(`CALL(ctx, ${id}, [${list}], ${kwargs ?? 'null'})`);
    }
    const all = [value, args, kwargs].filter((x) => x).join(', ');
    return this.aw(`${this.positionalRef('filters', n, id, fn, kwargs)}(${this.passPrefix(fn)}${all})`);
  }

  private testExpr(n: Node): string {
    const { id, fn } = this.moduleRef('tests', n.name, n.lineno);
    const { args, kwargs } = this.argList(n);
    if (fn === undefined && this.o.precompiled) {
      const list = [this.expr(n.node), args].filter((x) => x).join(', ');
      return `truthy(${this.aw(`CALL(ctx, ${id}, [${list}], ${kwargs ?? 'null'})`)})`;
    }
    const all = [this.expr(n.node), args, kwargs].filter((x) => x).join(', ');
    return `!!${this.aw(`${this.positionalRef('tests', n, id, fn, kwargs)}(${this.passPrefix(fn)}${all})`)}`;
  }

  /**
   * The function a filter/test call site calls: for plain positional calls of a builtin with a
   * fixed-arity variant, a module constant holding that variant (taken from the filter the environment
   * holds when the template is loaded, falling back to the filter itself); else the filter.
   */
  private positionalRef(
    table: 'filters' | 'tests',
    n: Node,
    id: string,
    fn: unknown,
    kwargs: string | null,
  ): string {
    const count = (n.args as Node[]).length;
    if (kwargs !== null || n.dynArgs || n.dynKwargs || !hasPositionalVariant(fn, count)) return id;
    const key = `${table}:${n.name}:${count}`;
    let vid = this.moduleConsts.get(key);
    if (!vid) {
      vid = `${id}_${count}`;
      this.moduleConsts.set(key, vid);
      this.modulePre.push(`const ${vid} = rt.positionalVariant(${id}, ${count});`);
    }
    return vid;
  }

  /**
   * A call of a macro of this template whose arguments bind statically (positionals, then keywords
   * naming later parameters in order, the rest left to their defaults): the test that the name still
   * holds that macro, the direct body call (plain output for a raw macro), and the general call.
   */
  private directMacroCall(
    n: Node,
    extraKwargs: [string, string][],
  ): { test: string; body: string; raw: boolean; general: string } | null {
    if (n.node.kind !== 'Name' || n.dynArgs || n.dynKwargs || extraKwargs.length || this.o.sandboxed) {
      return null;
    }
    const fnJs = this.expr(n.node);
    const info = this.macroInfo.get(fnJs);
    const direct = info ? this.directMacroArgs(n, info.names) : null;
    if (!info || direct === null) return null;
    const { args, kwargs } = this.argList(n);
    return {
      test: `${fnJs} === ${info.wrap}`,
      body: this.aw(`${info.body}(${direct})`),
      raw: info.raw,
      general: this.aw(`CALL(ctx, ${fnJs}, [${args}], ${kwargs ?? 'null'})`),
    };
  }

  private callExpr(n: Node, extraKwargs: [string, string][]): string {
    const d = this.directMacroCall(n, extraKwargs);
    if (d) return `(${d.test} ? ${d.raw ? `new Markup(${d.body})` : d.body} : ${d.general})`;
    const fnJs = this.expr(n.node);
    const { args, kwargs } = this.argList(n, extraKwargs);
    if (this.o.sandboxed) return this.aw(`env.call(ctx, ${fnJs}, [${args}], ${kwargs ?? 'null'})`);
    return this.aw(`CALL(ctx, ${fnJs}, [${args}], ${kwargs ?? 'null'})`);
  }

  /**
   * The body's argument list for a call binding statically to a simple macro's parameters, or null.
   * Keywords must name parameters after the positionals in increasing order, so evaluating the
   * arguments in parameter order keeps the source order; unfilled parameters get MISSING (the body
   * then applies the default or an Undefined, as the run-time binding does).
   */
  private directMacroArgs(n: Node, names: readonly string[]): string | null {
    const pos = n.args as Node[];
    const kws = n.kwargs as [string, Node][];
    if (pos.length > names.length) return null;
    const slots: (string | null)[] = names.map((_, i) => (i < pos.length ? this.expr(pos[i]!) : null));
    let prev = pos.length - 1;
    for (const [k, v] of kws) {
      const i = names.indexOf(k);
      if (i <= prev) return null;
      slots[i] = this.expr(v);
      prev = i;
    }
    return slots.map((x) => x ?? 'MISSING').join(', ');
  }
}

/** Generates the module source for a parsed template. */
export function generate(ast: Node, opts: CompileOptions): string {
  return new CodeGenerator(opts).compile(ast);
}
