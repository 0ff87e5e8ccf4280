import { MetricsInputError } from './errors.js';

/**
 * Argo Rollouts' success/failure conditions over a Prometheus result, for the forms analysis
 * templates use: comparisons of `result`, `result[N]` or `len(result)` with numbers, joined by
 * `&&` / `||` (or `and` / `or`), `!`/`not`, parentheses. Anything else is refused, never guessed.
 */
export type Condition = (result: readonly number[]) => boolean;

type Token = { kind: 'num'; value: number } | { kind: 'op'; value: string } | { kind: 'word'; value: string };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:(\d+(?:\.\d+)?(?:e[+-]?\d+)?)|(<=|>=|==|!=|&&|\|\||[<>()[\]!])|([A-Za-z_]\w*))/gy;
  let index = 0;
  while (index < text.length) {
    if (/^\s*$/.test(text.slice(index))) break;
    re.lastIndex = index;
    const m = re.exec(text);
    if (!m) throw new Error(`expected result, a number, a comparison, && || ! or parentheses, found ${JSON.stringify(text.slice(index).trim().slice(0, 20))}`);
    if (m[1] !== undefined) tokens.push({ kind: 'num', value: Number(m[1]) });
    else if (m[2] !== undefined) tokens.push({ kind: 'op', value: m[2] });
    else tokens.push({ kind: 'word', value: m[3] as string });
    index = re.lastIndex;
  }
  return tokens;
}

type Value = (r: readonly number[]) => number;

export function parseCondition(text: string): Condition {
  let tokens: Token[];
  try {
    tokens = tokenize(text);
  } catch (error) {
    throw new MetricsInputError(`condition ${JSON.stringify(text)}: ${(error as Error).message}`);
  }
  let pos = 0;
  const fail = (what: string): never => {
    throw new MetricsInputError(`condition ${JSON.stringify(text)}: expected ${what}, found ${pos < tokens.length ? JSON.stringify(tokens[pos]?.value) : 'the end'} (supported: result, result[N], len(result) compared with numbers, && || ! and parentheses)`);
  };
  const peek = (): Token | undefined => tokens[pos];
  const take = (value: string): boolean => {
    const t = peek();
    if (t && t.kind !== 'num' && t.value === value) {
      pos++;
      return true;
    }
    return false;
  };
  const operand = (): Value => {
    const t = peek();
    if (t?.kind === 'num') {
      pos++;
      return () => t.value;
    }
    if (take('len')) {
      if (!take('(') || !take('result') || !take(')')) fail('len(result)');
      return (r) => r.length;
    }
    if (take('result')) {
      if (!take('[')) return (r) => (r.length === 1 ? (r[0] as number) : Number.NaN);
      const index = peek();
      if (index?.kind !== 'num' || !Number.isInteger(index.value)) return fail('an index');
      pos++;
      if (!take(']')) fail(']');
      return (r) => r[index.value] ?? Number.NaN;
    }
    return fail('result, result[N], len(result) or a number');
  };
  const comparison = (): Condition => {
    if (take('(')) {
      const inner = disjunction();
      if (!take(')')) fail(')');
      return inner;
    }
    if (take('!') || take('not')) {
      const inner = comparison();
      return (r) => !inner(r);
    }
    const left = operand();
    const op = peek();
    if (op?.kind !== 'op' || !['<', '<=', '>', '>=', '==', '!='].includes(op.value)) return fail('a comparison');
    pos++;
    const right = operand();
    const compare: Record<string, (a: number, b: number) => boolean> = {
      '<': (a, b) => a < b,
      '<=': (a, b) => a <= b,
      '>': (a, b) => a > b,
      '>=': (a, b) => a >= b,
      '==': (a, b) => a === b,
      '!=': (a, b) => a !== b,
    };
    const fn = compare[op.value] as (a: number, b: number) => boolean;
    return (r) => fn(left(r), right(r));
  };
  const conjunction = (): Condition => {
    let left = comparison();
    while (take('&&') || take('and')) {
      const l = left;
      const right = comparison();
      left = (r) => l(r) && right(r);
    }
    return left;
  };
  const disjunction = (): Condition => {
    let left = conjunction();
    while (take('||') || take('or')) {
      const l = left;
      const right = conjunction();
      left = (r) => l(r) || right(r);
    }
    return left;
  };
  const condition = disjunction();
  if (pos !== tokens.length) fail('the end');
  return condition;
}
