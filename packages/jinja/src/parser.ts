/**
 * Recursive-descent parser producing Jinja2's node tree: statements (if, for, set, macro, call,
 * block, extends, include, import, ...) and expressions with Jinja2's precedence.
 */
import { TemplateAssertionError, TemplateSyntaxError } from './errors.js';
import type { Token } from './lexer.js';

/** An AST node. The parser is internal, so nodes are loosely typed by `kind`. */
// biome-ignore lint/suspicious/noExplicitAny: internal AST with heterogeneous fields
export type Node = { kind: string; lineno: number; [field: string]: any };

const COMPARE_OPS: Record<string, string> = {
  '==': 'eq',
  '!=': 'ne',
  '<': 'lt',
  '<=': 'lteq',
  '>': 'gt',
  '>=': 'gteq',
};

/** Parser settings: which extension tags are allowed. */
export interface ParserOptions {
  /** Enabled extensions by short name (`loopcontrols`, `do`, `i18n`, `debug`). */
  extensions?: readonly string[];
  /** The `ext.i18n.trimmed` policy: `{% trans %}` blocks trim whitespace unless marked `notrimmed`. */
  i18nTrimmed?: boolean;
  /** Newstyle gettext: `{% trans %}` passes its variables to gettext as keywords. */
  newstyleGettext?: boolean;
}

/** Parses a token list into a Template node. */
export class Parser {
  private i = 0;
  private endTokenStack: string[][] = [];
  private blockNames = new Set<string>();
  private loopControls: boolean;
  private doExt: boolean;
  private i18n: boolean;
  private debugExt: boolean;
  private i18nTrimmed: boolean;
  private newstyle: boolean;
  private inLoop = 0;

  constructor(
    private tokens: Token[],
    private name: string | null,
    private filename: string | null,
    opts: ParserOptions = {},
  ) {
    const ext = opts.extensions ?? [];
    this.loopControls = ext.some((e) => e === 'loopcontrols' || e.endsWith('.loopcontrols'));
    this.doExt = ext.some((e) => e === 'do' || e.endsWith('ext.do'));
    this.i18n = ext.includes('i18n');
    this.debugExt = ext.includes('debug');
    this.i18nTrimmed = !!opts.i18nTrimmed;
    this.newstyle = !!opts.newstyleGettext;
  }

  // ---- token stream helpers
  private get cur(): Token {
    return this.tokens[this.i]!;
  }
  private peek(o = 1): Token {
    return this.tokens[Math.min(this.i + o, this.tokens.length - 1)]!;
  }
  private next(): Token {
    const t = this.tokens[this.i]!;
    if (t.type !== 'eof') this.i++;
    return t;
  }
  fail(msg: string, lineno = this.cur.lineno): never {
    throw new TemplateSyntaxError(msg, lineno, this.name, this.filename);
  }
  private failAssert(msg: string, lineno = this.cur.lineno): never {
    throw new TemplateAssertionError(msg, lineno, this.name, this.filename);
  }
  private isOp(v: string, t = this.cur): boolean {
    return t.type === 'operator' && t.value === v;
  }
  private isName(v: string, t = this.cur): boolean {
    return t.type === 'name' && t.value === v;
  }
  private skipOp(v: string): boolean {
    if (this.isOp(v)) {
      this.next();
      return true;
    }
    return false;
  }
  private skipName(v: string): boolean {
    if (this.isName(v)) {
      this.next();
      return true;
    }
    return false;
  }
  private describe(t: Token): string {
    switch (t.type) {
      case 'eof':
        return 'end of template';
      case 'block_end':
        return 'end of statement block';
      case 'variable_end':
        return 'end of print statement';
      case 'block_begin':
        return 'begin of statement block';
      case 'variable_begin':
        return 'begin of print statement';
      case 'name':
      case 'operator':
        return `'${t.value}'`;
      default:
        return t.type;
    }
  }
  private expectOp(v: string): Token {
    if (!this.isOp(v)) {
      if (this.cur.type === 'eof') this.fail(`unexpected end of template, expected '${v}'.`);
      this.fail(`expected token '${v}', got ${this.describe(this.cur)}`);
    }
    return this.next();
  }
  private expectType(type: Token['type'], what: string = type): Token {
    if (this.cur.type !== type) {
      if (this.cur.type === 'eof') this.fail(`unexpected end of template, expected '${what}'.`);
      this.fail(`expected token '${what}', got ${this.describe(this.cur)}`);
    }
    return this.next();
  }
  private expectName(v?: string): Token {
    if (this.cur.type !== 'name' || (v !== undefined && this.cur.value !== v)) {
      if (this.cur.type === 'eof') this.fail(`unexpected end of template, expected '${v ?? 'name'}'.`);
      this.fail(`expected token '${v ?? 'name'}', got ${this.describe(this.cur)}`);
    }
    return this.next();
  }

  // ---- templates and statements
  parse(): Node {
    const body = this.subparse(null);
    return { kind: 'Template', lineno: 1, body };
  }

  private subparse(endTokens: string[] | null): Node[] {
    const body: Node[] = [];
    if (endTokens) this.endTokenStack.push(endTokens);
    try {
      for (;;) {
        const t = this.cur;
        if (t.type === 'data') {
          this.next();
          body.push({
            kind: 'Output',
            lineno: t.lineno,
            nodes: [{ kind: 'TemplateData', lineno: t.lineno, data: t.value }],
          });
        } else if (t.type === 'variable_begin') {
          this.next();
          const e = this.parseTuple({ withCondexpr: true });
          this.expectType('variable_end', 'end of print statement');
          body.push({ kind: 'Output', lineno: t.lineno, nodes: [e] });
        } else if (t.type === 'block_begin') {
          this.next();
          if (endTokens && this.cur.type === 'name' && endTokens.includes(this.cur.value)) return body;
          const st = this.parseStatement();
          if (Array.isArray(st)) body.push(...st);
          else body.push(st);
        } else if (t.type === 'eof') {
          if (endTokens) this.failUnclosed(endTokens, t.lineno);
          return body;
        } else {
          this.fail('unexpected token');
        }
      }
    } finally {
      if (endTokens) this.endTokenStack.pop();
    }
  }

  private failUnclosed(endTokens: string[], lineno: number): never {
    const expected = endTokens.map((e) => `'${e}'`).join(' or ');
    this.fail(
      `Unexpected end of template. Jinja was looking for the following tags: ${expected}. The innermost block that needs to be closed is '${endTokens[0]!.replace(/^end/, '')}'.`,
      lineno,
    );
  }

  private failUnknownTag(name: string, lineno: number): never {
    const stack = this.endTokenStack;
    let msg = `Encountered unknown tag '${name}'.`;
    if (stack.length) {
      msg += ` Jinja was looking for the following tags: ${stack[stack.length - 1]!.map((e) => `'${e}'`).join(' or ')}.`;
    }
    this.fail(msg, lineno);
  }

  private parseStatements(endTokens: string[], dropNeedle = false): Node[] {
    this.skipOp(':');
    this.expectType('block_end', 'end of statement block');
    const body = this.subparse(endTokens);
    if (this.cur.type === 'eof') this.failUnclosed(endTokens, this.cur.lineno);
    if (dropNeedle) this.next();
    return body;
  }

  private parseStatement(): Node | Node[] {
    const t = this.cur;
    if (t.type !== 'name') this.fail('tag name expected');
    switch (t.value) {
      case 'for':
        return this.parseFor();
      case 'if':
        return this.parseIf();
      case 'block':
        return this.parseBlock();
      case 'extends':
        return this.parseExtends();
      case 'include':
        return this.parseInclude();
      case 'import':
        return this.parseImport();
      case 'from':
        return this.parseFrom();
      case 'set':
        return this.parseSet();
      case 'with':
        return this.parseWith();
      case 'macro':
        return this.parseMacro();
      case 'call':
        return this.parseCallBlock();
      case 'filter':
        return this.parseFilterBlock();
      case 'autoescape':
        return this.parseAutoescape();
      case 'break':
      case 'continue':
        if (this.loopControls) {
          this.next();
          this.expectType('block_end', 'end of statement block');
          return { kind: t.value === 'break' ? 'Break' : 'Continue', lineno: t.lineno };
        }
        break;
      case 'do':
        if (this.doExt) {
          this.next();
          const e = this.parseTuple({});
          this.expectType('block_end', 'end of statement block');
          return { kind: 'ExprStmt', lineno: t.lineno, node: e };
        }
        break;
      case 'trans':
        if (this.i18n) return this.parseTrans();
        break;
      case 'debug':
        if (this.debugExt) {
          this.next();
          this.expectType('block_end', 'end of statement block');
          return { kind: 'Debug', lineno: t.lineno };
        }
        break;
    }
    return this.failUnknownTag(t.value, t.lineno);
  }

  // ---- the i18n extension (jinja2.ext.i18n): {% trans %} ... {% pluralize %} ... {% endtrans %}

  private parseTrans(): Node | Node[] {
    const lineno = this.expectName('trans').lineno;
    const name = (n: string): Node => ({ kind: 'Name', lineno, name: n, ctx: 'load' });
    let context: string | null = null;
    if (this.cur.type === 'string') context = this.next().value;
    let pluralExpr: Node | null = null;
    let pluralAssign: Node | null = null;
    let numCalledNum = false;
    const variables = new Map<string, Node>();
    let trimmed: boolean | null = null;
    while (this.cur.type !== 'block_end') {
      if (variables.size) this.expectOp(',');
      if (this.skipOp(':')) break;
      const tok = this.expectType('name');
      if (variables.has(tok.value)) {
        this.failAssert(`translatable variable '${tok.value}' defined twice.`, tok.lineno);
      }
      let v: Node;
      if (this.isOp('=')) {
        this.next();
        v = this.parseExpression(true);
      } else if (trimmed === null && (tok.value === 'trimmed' || tok.value === 'notrimmed')) {
        trimmed = tok.value === 'trimmed';
        continue;
      } else v = name(tok.value);
      variables.set(tok.value, v);
      if (pluralExpr === null) {
        if (v.kind === 'Call') {
          pluralExpr = name('_trans');
          variables.set(tok.value, pluralExpr);
          pluralAssign = {
            kind: 'Assign',
            lineno,
            target: { kind: 'Name', lineno, name: '_trans', ctx: 'store' },
            node: v,
          };
        } else pluralExpr = v;
        numCalledNum = tok.value === 'num';
      }
    }
    this.expectType('block_end', 'end of statement block');
    const referenced: string[] = [];
    let plural: string | null = null;
    let havePlural = false;
    const [singularNames, singularText] = this.parseTransBlock(true);
    let singular = singularText;
    if (singularNames.length) {
      referenced.push(...singularNames);
      if (pluralExpr === null) {
        pluralExpr = name(singularNames[0]!);
        numCalledNum = singularNames[0] === 'num';
      }
    }
    if (this.isName('pluralize')) {
      havePlural = true;
      this.next();
      if (this.cur.type !== 'block_end') {
        const tok = this.expectType('name');
        const v = variables.get(tok.value);
        if (!v) this.failAssert(`unknown variable '${tok.value}' for pluralization`, tok.lineno);
        pluralExpr = v;
        numCalledNum = tok.value === 'num';
      }
      this.expectType('block_end', 'end of statement block');
      const [pluralNames, pluralText] = this.parseTransBlock(false);
      plural = pluralText;
      this.next();
      referenced.push(...pluralNames);
    } else this.next();
    this.expectType('block_end', 'end of statement block');
    for (const r of referenced) if (!variables.has(r)) variables.set(r, name(r));
    if (!havePlural) pluralExpr = null;
    else if (pluralExpr === null) this.fail('pluralize without variables', lineno);
    if (trimmed ?? this.i18nTrimmed) {
      const trim = (x: string) => x.trim().replace(/\s*\n\s*/g, ' ');
      singular = trim(singular);
      if (plural !== null) plural = trim(plural);
    }
    const node = this.transNode(
      singular,
      plural,
      context,
      variables,
      pluralExpr,
      referenced.length > 0,
      numCalledNum && havePlural,
      lineno,
    );
    return pluralAssign ? [pluralAssign, node] : node;
  }

  /** The body of a trans block: text with `%` doubled and `{{ name }}` as `%(name)s`. */
  private parseTransBlock(allowPluralize: boolean): [string[], string] {
    const referenced: string[] = [];
    let buf = '';
    for (;;) {
      const t = this.cur;
      if (t.type === 'data') {
        buf += t.value.replace(/%/g, '%%');
        this.next();
      } else if (t.type === 'variable_begin') {
        this.next();
        const n = this.expectType('name').value;
        referenced.push(n);
        buf += `%(${n})s`;
        this.expectType('variable_end', 'end of print statement');
      } else if (t.type === 'block_begin') {
        this.next();
        const blockName = this.cur.type === 'name' ? this.cur.value : null;
        if (blockName === 'endtrans') break;
        if (blockName === 'pluralize') {
          if (allowPluralize) break;
          this.fail('a translatable section can have only one pluralize section');
        }
        if (blockName === 'trans') this.fail("trans blocks can't be nested; did you mean `endtrans`?");
        this.fail(`control structures in translatable sections are not allowed; saw \`${blockName}\``);
      } else if (t.type === 'eof') {
        this.fail('unclosed translation block');
      } else {
        this.fail('internal parser error');
      }
    }
    return [referenced, buf];
  }

  /** The output node of a trans block: a gettext-family call, formatted with its variables. */
  private transNode(
    singularIn: string,
    pluralIn: string | null,
    context: string | null,
    variables: Map<string, Node>,
    pluralExpr: Node | null,
    varsReferenced: boolean,
    numCalledNum: boolean,
    lineno: number,
  ): Node {
    let singular = singularIn;
    let plural = pluralIn;
    const newstyle = this.newstyle;
    if (!varsReferenced && !newstyle) {
      singular = singular.replace(/%%/g, '%');
      if (plural !== null) plural = plural.replace(/%%/g, '%');
    }
    const konst = (v: string): Node => ({ kind: 'Const', lineno, value: v });
    let func = 'gettext';
    const args: Node[] = [konst(singular)];
    if (context !== null) {
      args.unshift(konst(context));
      func = `p${func}`;
    }
    if (pluralExpr !== null) {
      func = `n${func}`;
      args.push(konst(plural ?? ''), pluralExpr);
    }
    const kwargs: [string, Node][] = [];
    if (newstyle) {
      for (const [k, v] of variables) if (!(numCalledNum && k === 'num')) kwargs.push([k, v]);
    }
    let node: Node = {
      kind: 'Call',
      lineno,
      node: { kind: 'Name', lineno, name: func, ctx: 'load' },
      args,
      kwargs,
      dynArgs: null,
      dynKwargs: null,
    };
    if (!newstyle) {
      node = { kind: 'MarkSafeIfAutoescape', lineno, node };
      if (variables.size) {
        node = {
          kind: 'Mod',
          lineno,
          left: node,
          right: {
            kind: 'Dict',
            lineno,
            items: [...variables].map(([k, v]) => [konst(k), v]),
          },
        };
      }
    }
    return { kind: 'Output', lineno, nodes: [node] };
  }

  private parseFor(): Node {
    const lineno = this.expectName('for').lineno;
    const target = this.parseAssignTarget({ extraEnd: ['in'] });
    this.expectName('in');
    const iter = this.parseTuple({ withCondexpr: false, extraEnd: ['recursive'] });
    let test: Node | null = null;
    if (this.skipName('if')) test = this.parseExpression(true);
    const recursive = this.skipName('recursive');
    this.inLoop++;
    const body = this.parseStatements(['endfor', 'else']);
    this.inLoop--;
    let else_: Node[] = [];
    if (this.next().value === 'else') else_ = this.parseStatements(['endfor'], true);
    this.expectType('block_end', 'end of statement block');
    return { kind: 'For', lineno, target, iter, body, else_, test, recursive };
  }

  private parseIf(): Node {
    const lineno = this.expectName('if').lineno;
    const node: Node = {
      kind: 'If',
      lineno,
      test: this.parseTuple({ withCondexpr: false }),
      body: [],
      elif: [],
      else_: [],
    };
    node.body = this.parseStatements(['elif', 'else', 'endif']);
    const result = node;
    for (;;) {
      const tok = this.next();
      if (tok.value === 'elif') {
        const n: Node = {
          kind: 'If',
          lineno: tok.lineno,
          test: this.parseTuple({ withCondexpr: false }),
          body: [],
          elif: [],
          else_: [],
        };
        n.body = this.parseStatements(['elif', 'else', 'endif']);
        result.elif.push(n);
        continue;
      }
      if (tok.value === 'else') result.else_ = this.parseStatements(['endif'], true);
      break;
    }
    this.expectType('block_end', 'end of statement block');
    return node;
  }

  private parseBlock(): Node {
    const lineno = this.expectName('block').lineno;
    const nameTok = this.expectType('name', 'name');
    const name = nameTok.value;
    if (this.blockNames.has(name)) this.failAssert(`block '${name}' defined twice`, lineno);
    this.blockNames.add(name);
    let scoped = false;
    let required = false;
    for (;;) {
      if (this.skipName('scoped')) scoped = true;
      else if (this.skipName('required')) required = true;
      else break;
    }
    if (this.cur.type === 'operator' && this.cur.value === '-') this.fail('Use an underscore instead');
    const loopSave = this.inLoop;
    this.inLoop = 0;
    const body = this.parseStatements(['endblock'], true);
    this.inLoop = loopSave;
    if (required) {
      const ok = body.every(
        (n) => n.kind === 'Output' && n.nodes.every((d: Node) => d.kind === 'TemplateData' && !d.data.trim()),
      );
      if (!ok) this.fail('Required blocks can only contain comments or whitespace', lineno);
    }
    if (this.cur.type === 'name') {
      const end = this.next();
      if (end.value !== name) this.fail(`'${name}' expected, got '${end.value}'`);
    }
    this.expectType('block_end', 'end of statement block');
    return { kind: 'Block', lineno, name, body, scoped, required };
  }

  private parseExtends(): Node {
    const lineno = this.expectName('extends').lineno;
    const template = this.parseExpression(true);
    this.expectType('block_end', 'end of statement block');
    return { kind: 'Extends', lineno, template };
  }

  private parseContext(node: Node, dflt: boolean): void {
    node.withContext = dflt;
    if ((this.isName('with') || this.isName('without')) && this.isName('context', this.peek())) {
      node.withContext = this.next().value === 'with';
      this.next();
    }
  }

  private parseInclude(): Node {
    const lineno = this.expectName('include').lineno;
    const node: Node = {
      kind: 'Include',
      lineno,
      template: this.parseExpression(true),
      ignoreMissing: false,
    };
    if (this.isName('ignore') && this.isName('missing', this.peek())) {
      this.next();
      this.next();
      node.ignoreMissing = true;
    }
    this.parseContext(node, true);
    this.expectType('block_end', 'end of statement block');
    return node;
  }

  private parseImport(): Node {
    const lineno = this.expectName('import').lineno;
    const template = this.parseExpression(true);
    this.expectName('as');
    const target = this.parseAssignTarget({ nameOnly: true }).name as string;
    const node: Node = { kind: 'Import', lineno, template, target };
    this.parseContext(node, false);
    this.expectType('block_end', 'end of statement block');
    return node;
  }

  private parseFrom(): Node {
    const lineno = this.expectName('from').lineno;
    const template = this.parseExpression(true);
    this.expectName('import');
    const node: Node = { kind: 'FromImport', lineno, template, names: [], withContext: false };
    const parseCtx = (): boolean => {
      if ((this.isName('with') || this.isName('without')) && this.isName('context', this.peek())) {
        node.withContext = this.next().value === 'with';
        this.next();
        return true;
      }
      return false;
    };
    for (;;) {
      if (node.names.length) this.expectOp(',');
      if (this.cur.type === 'name') {
        if (parseCtx()) break;
        const target = this.parseAssignTarget({ nameOnly: true });
        if ((target.name as string).startsWith('_')) {
          this.failAssert('names starting with an underline can not be imported', target.lineno);
        }
        if (this.skipName('as')) {
          const alias = this.parseAssignTarget({ nameOnly: true });
          node.names.push([target.name, alias.name]);
        } else node.names.push([target.name, target.name]);
        if (parseCtx() || !this.isOp(',')) break;
      } else {
        this.expectType('name', 'name');
      }
    }
    this.expectType('block_end', 'end of statement block');
    return node;
  }

  private parseSet(): Node {
    const lineno = this.expectName('set').lineno;
    const target = this.parseAssignTarget({ withNamespace: true });
    if (this.skipOp('=')) {
      const node = this.parseTuple({});
      this.expectType('block_end', 'end of statement block');
      return { kind: 'Assign', lineno, target, node };
    }
    const filter = this.isOp('|') ? this.parseFilter(null) : null;
    const body = this.parseStatements(['endset'], true);
    this.expectType('block_end', 'end of statement block');
    return { kind: 'AssignBlock', lineno, target, filter, body };
  }

  private parseWith(): Node {
    const lineno = this.expectName('with').lineno;
    const targets: Node[] = [];
    const values: Node[] = [];
    while (this.cur.type !== 'block_end') {
      if (targets.length) this.expectOp(',');
      const target = this.parseAssignTarget({});
      this.expectOp('=');
      targets.push(target);
      values.push(this.parseExpression(true));
    }
    const body = this.parseStatements(['endwith'], true);
    this.expectType('block_end', 'end of statement block');
    return { kind: 'With', lineno, targets, values, body };
  }

  private parseSignature(node: Node): void {
    node.args = [];
    node.defaults = [];
    this.expectOp('(');
    while (!this.isOp(')')) {
      if (node.args.length) this.expectOp(',');
      if (this.isOp(')')) break;
      const arg = this.parseAssignTarget({ nameOnly: true });
      if (this.skipOp('=')) node.defaults.push(this.parseExpression(true));
      else if (node.defaults.length) this.fail('non-default argument follows default argument');
      node.args.push(arg.name);
    }
    this.expectOp(')');
  }

  private parseMacro(): Node {
    const lineno = this.expectName('macro').lineno;
    const name = this.parseAssignTarget({ nameOnly: true }).name as string;
    const node: Node = { kind: 'Macro', lineno, name };
    this.parseSignature(node);
    const loopSave = this.inLoop;
    this.inLoop = 0;
    node.body = this.parseStatements(['endmacro'], true);
    this.inLoop = loopSave;
    this.expectType('block_end', 'end of statement block');
    return node;
  }

  private parseCallBlock(): Node {
    const lineno = this.expectName('call').lineno;
    const node: Node = { kind: 'CallBlock', lineno, args: [], defaults: [] };
    if (this.isOp('(')) this.parseSignature(node);
    const call = this.parseExpression(true);
    if (call.kind !== 'Call') this.fail('expected call', lineno);
    node.call = call;
    node.body = this.parseStatements(['endcall'], true);
    this.expectType('block_end', 'end of statement block');
    return node;
  }

  private parseFilterBlock(): Node {
    const lineno = this.expectName('filter').lineno;
    const filter = this.parseFilter(null, true);
    const body = this.parseStatements(['endfilter'], true);
    this.expectType('block_end', 'end of statement block');
    return { kind: 'FilterBlock', lineno, filter, body };
  }

  private parseAutoescape(): Node {
    const lineno = this.expectName('autoescape').lineno;
    const value = this.parseExpression(true);
    const body = this.parseStatements(['endautoescape'], true);
    this.expectType('block_end', 'end of statement block');
    return { kind: 'Autoescape', lineno, value, body };
  }

  // ---- assignment targets
  private parseAssignTarget(o: {
    withTuple?: boolean;
    nameOnly?: boolean;
    extraEnd?: string[];
    withNamespace?: boolean;
  }): Node {
    let target: Node;
    if (
      o.withNamespace &&
      this.cur.type === 'name' &&
      this.isOp('.', this.peek()) &&
      this.peek(2).type === 'name'
    ) {
      const ns = this.next();
      this.next();
      const attr = this.next();
      return { kind: 'NSRef', lineno: ns.lineno, name: ns.value, attr: attr.value };
    }
    if (o.nameOnly) {
      const t = this.expectType('name', 'name');
      target = { kind: 'Name', lineno: t.lineno, name: t.value, ctx: 'store' };
    } else {
      target =
        o.withTuple === false
          ? this.parsePrimary()
          : this.parseTuple({ simplified: true, extraEnd: o.extraEnd });
    }
    this.checkAssign(target);
    return target;
  }

  private checkAssign(n: Node): void {
    if (n.kind === 'Name') {
      if (['true', 'false', 'none', 'True', 'False', 'None'].includes(n.name))
        this.fail(`can't assign to ${JSON.stringify(n.name)}`, n.lineno);
      n.ctx = 'store';
      return;
    }
    if (n.kind === 'Tuple') {
      for (const c of n.items) this.checkAssign(c);
      n.ctx = 'store';
      return;
    }
    this.fail(`can't assign to '${n.kind}'`, n.lineno);
  }

  // ---- expressions
  parseExpression(withCondexpr = true): Node {
    return withCondexpr ? this.parseCondexpr() : this.parseOr();
  }

  private parseCondexpr(): Node {
    const lineno = this.cur.lineno;
    let expr1 = this.parseOr();
    while (this.skipName('if')) {
      const test = this.parseOr();
      const else_ = this.skipName('else') ? this.parseCondexpr() : null;
      expr1 = { kind: 'CondExpr', lineno, test, expr1, expr2: else_ };
    }
    return expr1;
  }

  private parseOr(): Node {
    const lineno = this.cur.lineno;
    let left = this.parseAnd();
    while (this.skipName('or')) left = { kind: 'Or', lineno, left, right: this.parseAnd() };
    return left;
  }

  private parseAnd(): Node {
    const lineno = this.cur.lineno;
    let left = this.parseNot();
    while (this.skipName('and')) left = { kind: 'And', lineno, left, right: this.parseNot() };
    return left;
  }

  private parseNot(): Node {
    if (this.isName('not')) {
      const lineno = this.next().lineno;
      return { kind: 'Not', lineno, node: this.parseNot() };
    }
    return this.parseCompare();
  }

  private parseCompare(): Node {
    const lineno = this.cur.lineno;
    const expr = this.parseMath1();
    const ops: [string, Node][] = [];
    for (;;) {
      const t = this.cur;
      if (t.type === 'operator' && COMPARE_OPS[t.value]) {
        this.next();
        ops.push([COMPARE_OPS[t.value]!, this.parseMath1()]);
      } else if (this.isName('in')) {
        this.next();
        ops.push(['in', this.parseMath1()]);
      } else if (this.isName('not') && this.isName('in', this.peek())) {
        this.next();
        this.next();
        ops.push(['notin', this.parseMath1()]);
      } else break;
    }
    if (!ops.length) return expr;
    return { kind: 'Compare', lineno, expr, ops };
  }

  private parseMath1(): Node {
    const lineno = this.cur.lineno;
    let left = this.parseConcat();
    while (this.isOp('+') || this.isOp('-')) {
      const op = this.next().value === '+' ? 'Add' : 'Sub';
      left = { kind: op, lineno, left, right: this.parseConcat() };
    }
    return left;
  }

  private parseConcat(): Node {
    const lineno = this.cur.lineno;
    const args = [this.parseMath2()];
    while (this.skipOp('~')) args.push(this.parseMath2());
    return args.length === 1 ? args[0]! : { kind: 'Concat', lineno, nodes: args };
  }

  private parseMath2(): Node {
    const lineno = this.cur.lineno;
    let left = this.parsePow();
    for (;;) {
      const t = this.cur;
      if (t.type !== 'operator') break;
      const kind =
        t.value === '*'
          ? 'Mul'
          : t.value === '/'
            ? 'Div'
            : t.value === '//'
              ? 'FloorDiv'
              : t.value === '%'
                ? 'Mod'
                : null;
      if (!kind) break;
      this.next();
      left = { kind, lineno, left, right: this.parsePow() };
    }
    return left;
  }

  private parsePow(): Node {
    const lineno = this.cur.lineno;
    let left = this.parseUnary();
    while (this.skipOp('**')) left = { kind: 'Pow', lineno, left, right: this.parseUnary() };
    return left;
  }

  private parseUnary(withFilter = true): Node {
    const t = this.cur;
    let node: Node;
    if (this.isOp('-')) {
      this.next();
      node = { kind: 'Neg', lineno: t.lineno, node: this.parseUnary(false) };
    } else if (this.isOp('+')) {
      this.next();
      node = { kind: 'Pos', lineno: t.lineno, node: this.parseUnary(false) };
    } else node = this.parsePrimary();
    node = this.parsePostfix(node);
    if (withFilter) node = this.parseFilterExpr(node);
    return node;
  }

  private parsePrimary(): Node {
    const t = this.cur;
    if (t.type === 'name') {
      this.next();
      switch (t.value) {
        case 'true':
        case 'True':
          return { kind: 'Const', lineno: t.lineno, value: true };
        case 'false':
        case 'False':
          return { kind: 'Const', lineno: t.lineno, value: false };
        case 'none':
        case 'None':
          return { kind: 'Const', lineno: t.lineno, value: null };
      }
      return { kind: 'Name', lineno: t.lineno, name: t.value, ctx: 'load' };
    }
    if (t.type === 'string') {
      this.next();
      let s = t.value;
      while (this.cur.type === 'string') s += this.next().value;
      return { kind: 'Const', lineno: t.lineno, value: s };
    }
    if (t.type === 'integer') {
      this.next();
      return { kind: 'Const', lineno: t.lineno, value: t.num };
    }
    if (t.type === 'float') {
      this.next();
      return { kind: 'Const', lineno: t.lineno, value: t.num, float: true };
    }
    if (this.isOp('(')) {
      this.next();
      const node = this.parseTuple({ explicitParens: true });
      this.expectOp(')');
      return node;
    }
    if (this.isOp('[')) return this.parseList();
    if (this.isOp('{')) return this.parseDict();
    if (t.type === 'eof') this.fail('unexpected end of template, expected expression.');
    return this.fail(`unexpected ${this.describe(t)}`);
  }

  private isTupleEnd(extraEnd?: string[]): boolean {
    const t = this.cur;
    if (t.type === 'variable_end' || t.type === 'block_end' || t.type === 'eof') return true;
    if (this.isOp(')')) return true;
    if (extraEnd && t.type === 'name' && extraEnd.includes(t.value)) return true;
    return false;
  }

  parseTuple(o: {
    simplified?: boolean;
    withCondexpr?: boolean;
    extraEnd?: string[];
    explicitParens?: boolean;
  }): Node {
    const lineno = this.cur.lineno;
    const parse = o.simplified
      ? () => this.parsePrimary()
      : () => this.parseExpression(o.withCondexpr !== false);
    const items: Node[] = [];
    let isTuple = false;
    for (;;) {
      if (items.length) this.expectOp(',');
      if (this.isTupleEnd(o.extraEnd)) break;
      items.push(parse());
      if (this.isOp(',')) isTuple = true;
      else break;
    }
    if (!isTuple) {
      if (items.length) return items[0]!;
      if (!o.explicitParens) this.fail(`Expected an expression, got ${this.describe(this.cur)}`);
    }
    return { kind: 'Tuple', lineno, items, ctx: 'load' };
  }

  private parseList(): Node {
    const lineno = this.expectOp('[').lineno;
    const items: Node[] = [];
    while (!this.isOp(']')) {
      if (items.length) this.expectOp(',');
      if (this.isOp(']')) break;
      items.push(this.parseExpression(true));
    }
    this.expectOp(']');
    return { kind: 'List', lineno, items };
  }

  private parseDict(): Node {
    const lineno = this.expectOp('{').lineno;
    const items: [Node, Node][] = [];
    while (!this.isOp('}')) {
      if (items.length) this.expectOp(',');
      if (this.isOp('}')) break;
      const key = this.parseExpression(true);
      this.expectOp(':');
      items.push([key, this.parseExpression(true)]);
    }
    this.expectOp('}');
    return { kind: 'Dict', lineno, items };
  }

  private parsePostfix(node: Node): Node {
    for (;;) {
      if (this.isOp('.') || this.isOp('[')) node = this.parseSubscript(node);
      else if (this.isOp('(')) node = this.parseCall(node);
      else break;
    }
    return node;
  }

  private parseFilterExpr(node: Node): Node {
    for (;;) {
      if (this.isOp('|')) node = this.parseFilter(node);
      else if (this.isName('is')) node = this.parseTest(node);
      else if (this.isOp('(')) node = this.parseCall(node);
      else break;
    }
    return node;
  }

  private parseSubscript(node: Node): Node {
    const t = this.next();
    if (t.value === '.') {
      const a = this.cur;
      if (a.type === 'name') {
        this.next();
        return { kind: 'Getattr', lineno: t.lineno, node, attr: a.value };
      }
      if (a.type !== 'integer') this.fail('expected name or number');
      this.next();
      return {
        kind: 'Getitem',
        lineno: t.lineno,
        node,
        arg: { kind: 'Const', lineno: a.lineno, value: a.num },
      };
    }
    const args: Node[] = [];
    while (!this.isOp(']')) {
      if (args.length) this.expectOp(',');
      args.push(this.parseSubscribed());
    }
    this.expectOp(']');
    const arg = args.length === 1 ? args[0]! : { kind: 'Tuple', lineno: t.lineno, items: args, ctx: 'load' };
    return { kind: 'Getitem', lineno: t.lineno, node, arg };
  }

  private parseSubscribed(): Node {
    const lineno = this.cur.lineno;
    const args: (Node | null)[] = [];
    if (this.isOp(':')) {
      this.next();
      args.push(null);
    } else {
      const node = this.parseExpression(true);
      if (!this.isOp(':')) return node;
      this.next();
      args.push(node);
    }
    if (this.isOp(':')) args.push(null);
    else if (!this.isOp(']') && !this.isOp(',')) args.push(this.parseExpression(true));
    else args.push(null);
    if (this.isOp(':')) {
      this.next();
      if (!this.isOp(']') && !this.isOp(',')) args.push(this.parseExpression(true));
      else args.push(null);
    } else args.push(null);
    return { kind: 'Slice', lineno, start: args[0], stop: args[1], step: args[2] };
  }

  private parseCallArgs(): {
    args: Node[];
    kwargs: [string, Node][];
    dynArgs: Node | null;
    dynKwargs: Node | null;
  } {
    this.expectOp('(');
    const args: Node[] = [];
    const kwargs: [string, Node][] = [];
    let dynArgs: Node | null = null;
    let dynKwargs: Node | null = null;
    let requireComma = false;
    const ensure = (ok: boolean) => {
      if (!ok) this.fail('invalid syntax for function call expression');
    };
    while (!this.isOp(')')) {
      if (requireComma) {
        this.expectOp(',');
        if (this.isOp(')')) break;
      }
      if (this.isOp('*')) {
        ensure(dynArgs === null && dynKwargs === null);
        this.next();
        dynArgs = this.parseExpression(true);
      } else if (this.isOp('**')) {
        ensure(dynKwargs === null);
        this.next();
        dynKwargs = this.parseExpression(true);
      } else if (this.cur.type === 'name' && this.isOp('=', this.peek())) {
        ensure(dynKwargs === null);
        const key = this.next().value;
        this.next();
        kwargs.push([key, this.parseExpression(true)]);
      } else {
        ensure(dynArgs === null && dynKwargs === null && !kwargs.length);
        args.push(this.parseExpression(true));
      }
      requireComma = true;
    }
    this.expectOp(')');
    return { args, kwargs, dynArgs, dynKwargs };
  }

  private parseCall(node: Node): Node {
    const lineno = this.cur.lineno;
    return { kind: 'Call', lineno, node, ...this.parseCallArgs() };
  }

  private parseFilter(node: Node | null, startInline = false): Node {
    let first = true;
    while (this.isOp('|') || (startInline && first)) {
      if (!(startInline && first)) this.next();
      first = false;
      const t = this.expectType('name', 'name');
      let name = t.value;
      while (this.isOp('.')) {
        this.next();
        name += '.' + this.expectType('name', 'name').value;
      }
      const call = this.isOp('(')
        ? this.parseCallArgs()
        : { args: [], kwargs: [], dynArgs: null, dynKwargs: null };
      node = { kind: 'Filter', lineno: t.lineno, node, name, ...call };
      startInline = false;
    }
    return node!;
  }

  private parseTest(node: Node): Node {
    const lineno = this.next().lineno;
    let negated = false;
    if (this.isName('not')) {
      this.next();
      negated = true;
    }
    let name = this.expectType('name', 'name').value;
    while (this.isOp('.')) {
      this.next();
      name += '.' + this.expectType('name', 'name').value;
    }
    let call = {
      args: [] as Node[],
      kwargs: [] as [string, Node][],
      dynArgs: null as Node | null,
      dynKwargs: null as Node | null,
    };
    const t = this.cur;
    if (this.isOp('(')) call = this.parseCallArgs();
    else if (
      (t.type === 'name' ||
        t.type === 'string' ||
        t.type === 'integer' ||
        t.type === 'float' ||
        this.isOp('[') ||
        this.isOp('{')) &&
      !(t.type === 'name' && (t.value === 'else' || t.value === 'or' || t.value === 'and'))
    ) {
      if (this.isName('is')) this.fail('You cannot chain multiple tests with is');
      let arg = this.parsePrimary();
      arg = this.parsePostfix(arg);
      call.args = [arg];
    }
    let result: Node = { kind: 'Test', lineno, node, name, ...call };
    if (negated) result = { kind: 'Not', lineno, node: result };
    return result;
  }
}

/** Parses tokens into a Template node. */
export function parse(
  tokens: Token[],
  name: string | null,
  filename: string | null,
  opts?: ParserOptions,
): Node {
  return new Parser(tokens, name, filename, opts).parse();
}
