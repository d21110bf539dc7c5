import { createToken, EmbeddedActionsParser, Lexer, type IToken } from 'chevrotain';

/**
 * The live query language, in the spirit of Kusto: an entity, then stages separated by `|`.
 *
 *   processes | where cpu > 5 and name startswith "post" | project name, pid, cpu | order by cpu desc | take 10
 *   packages | summarize count() by source
 *   file("/etc/hostname") | project exists, size, sha256
 *
 * Lexed and parsed with chevrotain into the AST below; every node keeps where it was written, so
 * the validator (validate-query.ts) points at the position of what it refuses.
 */

/** Where a piece of the query was written: character offset (0-based), line and column (1-based), length. */
export interface SourceSpan {
  offset: number;
  line: number;
  column: number;
  length: number;
}

export type Literal = string | number | boolean;
export type ComparisonOperator = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'contains' | 'startswith' | 'endswith';

export type Expression =
  | { kind: 'and' | 'or'; left: Expression; right: Expression }
  | { kind: 'not'; operand: Expression }
  | { kind: 'compare'; column: string; columnAt: SourceSpan; operator: ComparisonOperator; value: Literal; valueAt: SourceSpan };

export type AggregateFunction = 'count' | 'sum' | 'min' | 'max';
export interface Aggregate {
  fn: AggregateFunction;
  /** The column summed, or the extreme taken (none for count). */
  column: string | null;
  at: SourceSpan;
  /** The result column's name: count, sum_<column>, min_<column>, max_<column>. */
  name: string;
}

export type Stage =
  | { kind: 'where'; at: SourceSpan; expression: Expression }
  | { kind: 'project'; at: SourceSpan; columns: { name: string; at: SourceSpan }[] }
  | { kind: 'summarize'; at: SourceSpan; aggregates: Aggregate[]; by: { name: string; at: SourceSpan }[] }
  | { kind: 'order'; at: SourceSpan; keys: { name: string; at: SourceSpan; descending: boolean }[] }
  | { kind: 'take'; at: SourceSpan; count: number };

export interface LiveQuery {
  entity: { name: string; at: SourceSpan; argument: string | null };
  stages: Stage[];
}

/** A query that cannot be read or run, with where the problem is. */
export interface LiveQueryError extends SourceSpan {
  message: string;
}

const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_]*/ });
const keyword = (name: string) => createToken({ name, pattern: new RegExp(name, 'i'), longer_alt: Identifier });
const Where = keyword('where');
const Project = keyword('project');
const Summarize = keyword('summarize');
const Order = keyword('order');
const By = keyword('by');
const Asc = keyword('asc');
const Desc = keyword('desc');
const Take = keyword('take');
const And = keyword('and');
const Or = keyword('or');
const Not = keyword('not');
const Contains = keyword('contains');
const StartsWith = keyword('startswith');
const EndsWith = keyword('endswith');
const True = keyword('true');
const False = keyword('false');
const Count = keyword('count');
const Sum = keyword('sum');
const Min = keyword('min');
const Max = keyword('max');
const StringLiteral = createToken({ name: 'StringLiteral', pattern: /"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/ });
const NumberLiteral = createToken({ name: 'NumberLiteral', pattern: /-?\d+(?:\.\d+)?/ });
const Pipe = createToken({ name: 'Pipe', pattern: /\|/ });
const Comma = createToken({ name: 'Comma', pattern: /,/ });
const LParen = createToken({ name: 'LParen', pattern: /\(/ });
const RParen = createToken({ name: 'RParen', pattern: /\)/ });
const NotEquals = createToken({ name: 'NotEquals', pattern: /!=/ });
const LessEquals = createToken({ name: 'LessEquals', pattern: /<=/ });
const GreaterEquals = createToken({ name: 'GreaterEquals', pattern: />=/ });
const Equals = createToken({ name: 'Equals', pattern: /==?/ });
const Less = createToken({ name: 'Less', pattern: /</ });
const Greater = createToken({ name: 'Greater', pattern: />/ });
const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /\s+/, group: Lexer.SKIPPED });

const keywords = [
  Where,
  Project,
  Summarize,
  Order,
  By,
  Asc,
  Desc,
  Take,
  And,
  Or,
  Not,
  Contains,
  StartsWith,
  EndsWith,
  True,
  False,
  Count,
  Sum,
  Min,
  Max,
];
const allTokens = [
  WhiteSpace,
  StringLiteral,
  NumberLiteral,
  Pipe,
  Comma,
  LParen,
  RParen,
  NotEquals,
  LessEquals,
  GreaterEquals,
  Equals,
  Less,
  Greater,
  ...keywords,
  Identifier,
];
const lexer = new Lexer(allTokens, { positionTracking: 'full' });

// Tolerant of the placeholder tokens chevrotain hands the actions while it records the grammar.
const span = (token: IToken | undefined): SourceSpan => ({
  offset: token?.startOffset ?? 0,
  line: token?.startLine ?? 1,
  column: token?.startColumn ?? 1,
  length: token?.image?.length ?? 0,
});

function unquote(image: string | undefined): string {
  return (image ?? '').slice(1, -1).replace(/\\(.)/g, (_, c: string) => ({ n: '\n', t: '\t' })[c] ?? c);
}

class LiveQueryParser extends EmbeddedActionsParser {
  constructor() {
    super(allTokens, { recoveryEnabled: false });
    this.performSelfAnalysis();
  }

  /** A column name: an identifier, or a word the language also uses (count, min, …) where a column is expected. */
  private name = this.RULE('name', (): { name: string; at: SourceSpan } => {
    const token = this.OR(keywords.map((k) => ({ ALT: () => this.CONSUME(k) })).concat({ ALT: () => this.CONSUME(Identifier) }));
    return { name: token?.image ?? '', at: span(token) };
  });

  private literal = this.RULE('literal', (): { value: Literal; at: SourceSpan } =>
    this.OR([
      { ALT: () => ((t) => ({ value: unquote(t.image), at: span(t) }))(this.CONSUME(StringLiteral)) },
      { ALT: () => ((t) => ({ value: Number(t.image), at: span(t) }))(this.CONSUME(NumberLiteral)) },
      { ALT: () => ({ value: true, at: span(this.CONSUME(True)) }) },
      { ALT: () => ({ value: false, at: span(this.CONSUME(False)) }) },
    ]),
  );

  private operator = this.RULE('operator', (): ComparisonOperator =>
    this.OR([
      { ALT: () => (this.CONSUME(Equals), '=' as const) },
      { ALT: () => (this.CONSUME(NotEquals), '!=' as const) },
      { ALT: () => (this.CONSUME(LessEquals), '<=' as const) },
      { ALT: () => (this.CONSUME(GreaterEquals), '>=' as const) },
      { ALT: () => (this.CONSUME(Less), '<' as const) },
      { ALT: () => (this.CONSUME(Greater), '>' as const) },
      { ALT: () => (this.CONSUME(Contains), 'contains' as const) },
      { ALT: () => (this.CONSUME(StartsWith), 'startswith' as const) },
      { ALT: () => (this.CONSUME(EndsWith), 'endswith' as const) },
    ]),
  );

  private atom = this.RULE('atom', (): Expression =>
    this.OR([
      {
        ALT: () => {
          this.CONSUME(LParen);
          const inner = this.SUBRULE(this.orExpression);
          this.CONSUME(RParen);
          return inner;
        },
      },
      {
        ALT: () => {
          const column = this.SUBRULE(this.name);
          const operator = this.SUBRULE(this.operator);
          const value = this.SUBRULE(this.literal);
          return { kind: 'compare' as const, column: column.name, columnAt: column.at, operator, value: value.value, valueAt: value.at };
        },
      },
    ]),
  );

  private notExpression: () => Expression = this.RULE('notExpression', (): Expression =>
    this.OR([
      { ALT: () => (this.CONSUME(Not), { kind: 'not' as const, operand: this.SUBRULE(this.notExpression) }) },
      { ALT: () => this.SUBRULE(this.atom) },
    ]),
  );

  /** A left-associative chain of `operand`s joined by `token` (and binds tighter than or). */
  private chain(kind: 'and' | 'or', token: typeof And, operand: () => () => Expression) {
    return (): Expression => {
      let left = this.SUBRULE(operand());
      this.MANY(() => {
        this.CONSUME(token);
        const right = this.SUBRULE2(operand());
        left = { kind, left, right };
      });
      return left;
    };
  }

  private andExpression = this.RULE(
    'andExpression',
    this.chain('and', And, () => this.notExpression),
  );

  private orExpression: () => Expression = this.RULE(
    'orExpression',
    this.chain('or', Or, () => this.andExpression),
  );

  private aggregate = this.RULE('aggregate', (): Aggregate => {
    const fn = this.OR([
      { ALT: () => ({ fn: 'count' as const, token: this.CONSUME(Count) }) },
      { ALT: () => ({ fn: 'sum' as const, token: this.CONSUME(Sum) }) },
      { ALT: () => ({ fn: 'min' as const, token: this.CONSUME(Min) }) },
      { ALT: () => ({ fn: 'max' as const, token: this.CONSUME(Max) }) },
    ]);
    this.CONSUME(LParen);
    const column = this.OPTION(() => this.SUBRULE(this.name));
    this.CONSUME(RParen);
    // (fn is undefined while chevrotain records the grammar.)
    const kind = fn?.fn ?? 'count';
    const name = kind === 'count' ? 'count' : `${kind}_${column?.name ?? ''}`;
    return { fn: kind, column: column?.name ?? null, at: span(fn?.token), name };
  });

  private names = this.RULE('names', (): { name: string; at: SourceSpan }[] => {
    const list = [this.SUBRULE(this.name)];
    this.MANY(() => {
      this.CONSUME(Comma);
      list.push(this.SUBRULE2(this.name));
    });
    return list;
  });

  private stage = this.RULE('stage', (): Stage =>
    this.OR([
      {
        ALT: () => {
          const at = span(this.CONSUME(Where));
          return { kind: 'where' as const, at, expression: this.SUBRULE(this.orExpression) };
        },
      },
      {
        ALT: () => {
          const at = span(this.CONSUME(Project));
          return { kind: 'project' as const, at, columns: this.SUBRULE(this.names) };
        },
      },
      {
        ALT: () => {
          const at = span(this.CONSUME(Summarize));
          const aggregates = [this.SUBRULE(this.aggregate)];
          this.MANY(() => {
            this.CONSUME(Comma);
            aggregates.push(this.SUBRULE2(this.aggregate));
          });
          const by = this.OPTION(() => {
            this.CONSUME(By);
            return this.SUBRULE2(this.names);
          });
          return { kind: 'summarize' as const, at, aggregates, by: by ?? [] };
        },
      },
      {
        ALT: () => {
          const at = span(this.CONSUME(Order));
          this.CONSUME2(By);
          const keys: { name: string; at: SourceSpan; descending: boolean }[] = [];
          this.AT_LEAST_ONE_SEP({
            SEP: Comma,
            DEF: () => {
              const key = this.SUBRULE3(this.name);
              const descending = this.OPTION2(() => this.OR2([{ ALT: () => (this.CONSUME(Asc), false) }, { ALT: () => (this.CONSUME(Desc), true) }]));
              keys.push({ ...key, descending: descending ?? false });
            },
          });
          return { kind: 'order' as const, at, keys };
        },
      },
      {
        ALT: () => {
          const at = span(this.CONSUME(Take));
          return { kind: 'take' as const, at, count: Number(this.CONSUME(NumberLiteral).image) };
        },
      },
    ]),
  );

  query = this.RULE('query', (): LiveQuery => {
    const entity = this.CONSUME(Identifier);
    const argument = this.OPTION(() => {
      this.CONSUME(LParen);
      const value = this.CONSUME(StringLiteral);
      this.CONSUME(RParen);
      return unquote(value.image);
    });
    const stages: Stage[] = [];
    this.MANY(() => {
      this.CONSUME(Pipe);
      stages.push(this.SUBRULE(this.stage));
    });
    return { entity: { name: entity.image, at: span(entity), argument: argument ?? null }, stages };
  });
}

const parser = new LiveQueryParser();

/** Parses a query's text; either the AST or the first error with its position. */
export function parseLiveQuery(text: string): { query: LiveQuery; error?: undefined } | { query?: undefined; error: LiveQueryError } {
  const lexed = lexer.tokenize(text);
  if (lexed.errors.length) {
    const e = lexed.errors[0];
    // The whole character: charAt would name half of one outside the basic plane (an emoji).
    const character = String.fromCodePoint(text.codePointAt(e.offset) ?? 0xfffd);
    return {
      error: {
        // A quote the lexer cannot take opens a string that never closes (strings stay on one line).
        message:
          character === '"' || character === "'" ? 'The string starting here is not closed on its line' : `Unexpected character "${character}"`,
        offset: e.offset,
        line: e.line ?? 1,
        column: e.column ?? 1,
        length: Math.max(1, e.length),
      },
    };
  }
  const tooDeep = tooDeeplyNested(lexed.tokens);
  if (tooDeep) return { error: tooDeep };
  parser.input = lexed.tokens;
  let query: LiveQuery;
  try {
    query = parser.query();
  } catch (error) {
    // The parser descends once per nesting level; a long enough chain of "not" still reaches the
    // end of the stack, which is the query's fault, not the server's.
    if (!(error instanceof RangeError)) throw error;
    return { error: { message: 'The query is nested too deeply', offset: 0, line: 1, column: 1, length: text.length } };
  }
  if (parser.errors.length) {
    const e = parser.errors[0];
    const token = e.token;
    const atEnd = token.tokenType.name === 'EOF' || Number.isNaN(token.startOffset);
    const last = lexed.tokens.at(-1);
    const offset = atEnd ? text.length : token.startOffset;
    const lineStart = text.lastIndexOf('\n', Math.max(0, offset - 1)) + 1;
    return {
      error: {
        message: atEnd ? `The query ends too early: ${expected(e.message)}` : `Unexpected "${token.image}": ${expected(e.message)}`,
        offset,
        line: atEnd ? (last?.endLine ?? 1) : (token.startLine ?? 1),
        column: atEnd ? offset - lineStart + 1 : (token.startColumn ?? 1),
        length: atEnd ? 0 : token.image.length,
      },
    };
  }
  return { query };
}

/** Levels of parentheses and "not" a query may nest: far more than a query needs, far less than the parser's stack takes. */
export const MAX_NESTING = 32;

/**
 * The first parenthesis or "not" nested deeper than MAX_NESTING, as an error at its place. The
 * parser descends once per level, so a fixed bound keeps a query read or refused alike wherever it
 * is parsed, however much stack the caller has left. A "not" holds its level until its operand
 * ends: a comparison (at once) or a parenthesis (at its closing one).
 */
function tooDeeplyNested(tokens: readonly IToken[]): LiveQueryError | null {
  let depth = 0;
  let pendingNots = 0;
  // Per open parenthesis: the levels it and the "not"s just before it hold.
  const open: number[] = [];
  for (const token of tokens) {
    if (token.tokenType === RParen) {
      depth = Math.max(0, depth - (open.pop() ?? 0));
      continue;
    }
    if (token.tokenType === Not) pendingNots++;
    else if (token.tokenType === LParen) {
      open.push(pendingNots + 1);
      depth += pendingNots + 1;
      pendingNots = 0;
    } else pendingNots = 0;
    if (depth + pendingNots > MAX_NESTING)
      return {
        message: token.tokenType === Not ? `"not" nested deeper than ${MAX_NESTING} levels` : `Parentheses nested deeper than ${MAX_NESTING} levels`,
        offset: token.startOffset,
        line: token.startLine ?? 1,
        column: token.startColumn ?? 1,
        length: token.image.length,
      };
  }
  return null;
}

/** Chevrotain's "Expecting ... but found ..." reduced to the words expected. */
function expected(message: string): string {
  const wanted = message.split(/but found/)[0];
  const names = [...wanted.matchAll(/-->\s*([A-Za-z]+)\s*<--|\[([A-Za-z]+)\]/g)].map((m) => m[1] ?? m[2]);
  const words = [...new Set(names.map((n) => tokenWords[n] ?? n.toLowerCase()))];
  return words.length ? `expected ${words.join(', ')}` : 'not valid here';
}

const tokenWords: Record<string, string> = {
  Identifier: 'a name',
  StringLiteral: 'a quoted string',
  NumberLiteral: 'a number',
  Pipe: '|',
  Comma: ',',
  LParen: '(',
  RParen: ')',
  Equals: '=',
  NotEquals: '!=',
  Less: '<',
  LessEquals: '<=',
  Greater: '>',
  GreaterEquals: '>=',
};
