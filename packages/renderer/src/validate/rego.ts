import { finding, type Finding } from './types.js';

const V = 'rego-syntax';

interface Line {
  n: number;
  /** The line with comments removed and string contents blanked. */
  code: string;
  /** Bracket depth at the start of the line. */
  depth: number;
}

/** Splits Rego into code lines (strings and comments neutralized) and checks brackets and quotes balance. */
function scan(source: string): { lines: Line[]; findings: Finding[] } {
  const findings: Finding[] = [];
  const stack: { ch: string; line: number }[] = [];
  const lines: Line[] = [];
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  let inString: '"' | '`' | null = null;
  let stringLine = 0;
  source.split('\n').forEach((raw, i) => {
    const n = i + 1;
    const depth = stack.length;
    let code = '';
    for (let j = 0; j < raw.length; j++) {
      const ch = raw[j] as string;
      if (inString) {
        if (inString === '"' && ch === '\\') j++;
        else if (ch === inString) {
          inString = null;
          code += ch;
        }
        continue;
      }
      if (ch === '#') break;
      if (ch === '"' || ch === '`') {
        inString = ch;
        stringLine = n;
        code += ch;
        continue;
      }
      if (ch === '(' || ch === '[' || ch === '{') stack.push({ ch, line: n });
      else if (ch === ')' || ch === ']' || ch === '}') {
        const open = stack.pop();
        if (!open || open.ch !== pairs[ch]) findings.push(finding(V, `unbalanced \`${ch}\`${open ? ` (closes \`${open.ch}\` from line ${open.line})` : ''}`, `line ${n}`));
      }
      code += ch;
    }
    if (inString === '"') {
      findings.push(finding(V, 'unterminated string', `line ${stringLine}`));
      inString = null;
    }
    lines.push({ n, code: code.trimEnd(), depth });
  });
  if (inString) findings.push(finding(V, 'unterminated raw string', `line ${stringLine}`));
  for (const open of stack) findings.push(finding(V, `\`${open.ch}\` is never closed`, `line ${open.line}`));
  return { lines, findings };
}

/** The first `{` of a line outside parentheses and brackets: a rule body or an object value, not `[{...}]`. */
function bodyBrace(code: string): number {
  let depth = 0;
  for (let i = 0; i < code.length; i++) {
    const ch = code[i];
    if (ch === '(' || ch === '[') depth++;
    else if (ch === ')' || ch === ']') depth--;
    else if (ch === '{' && depth === 0) return i;
  }
  return -1;
}

const PACKAGE = /^package\s+[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const RULE_NAME = /^([A-Za-z_][A-Za-z0-9_]*)/;

/**
 * OPA v1 syntax checks (no OPA binary is available here): package line, balanced brackets and
 * strings, `if` before every rule body, `contains` for partial set rules, no pre-1.0 `deny[msg] {`.
 * For test files, at least one `test_` rule.
 */
export function validateRego(source: string, options: { test?: boolean } = {}): Finding[] {
  const { lines, findings } = scan(source);
  const statements = lines.filter((l) => l.code.trim() !== '');
  const first = statements[0];
  if (!first || !PACKAGE.test(first.code.trim())) findings.push(finding(V, 'the file must start with a `package` line', first ? `line ${first.n}` : undefined));

  const ruleNames: string[] = [];
  for (const line of statements) {
    if (line.depth !== 0) continue;
    const code = line.code.trim();
    if (/^(package|import)\b/.test(code)) {
      if (/^import\s+future\.keywords/.test(code)) findings.push(finding(V, '`import future.keywords` is not needed in OPA v1', `line ${line.n}`, 'warning'));
      continue;
    }
    if (code.startsWith('}') || code.startsWith(']') || code.startsWith(')')) {
      // `} else := x if {`: the else branch of the rule above.
      if (/\belse\b/.test(code) && code.endsWith('{') && !/\bif\s*\{$/.test(code)) findings.push(finding(V, '`else` body without `if` (pre-1.0 syntax): write `} else := value if {`', `line ${line.n}`));
      continue;
    }
    const name = RULE_NAME.exec(code)?.[1];
    if (!name) continue;
    const head = code.replace(/^default\s+/, '');
    ruleNames.push(name);
    if (/^[A-Za-z_][\w.]*\s*\[[^\]]*\]\s*(\{|if\b|$)/.test(head)) {
      findings.push(finding(V, `pre-1.0 partial rule \`${head.replace(/\s*\{$/, '')}\`: OPA v1 writes \`${name} contains <value> if { ... }\``, `line ${line.n}`));
      continue;
    }
    const brace = bodyBrace(code);
    if (brace >= 0) {
      const before = code.slice(0, brace).trimEnd();
      if (/(:=|=)$/.test(before)) continue; // a composite value: `roles := {`
      if (!/\bif$/.test(before)) {
        findings.push(finding(V, `rule body without \`if\` (pre-1.0 syntax): write \`${before} if {\``, `line ${line.n}`));
      }
    }
  }
  if (options.test && !ruleNames.some((r) => r.startsWith('test_'))) findings.push(finding(V, 'a Rego test file needs at least one rule named `test_...`'));
  return findings;
}
