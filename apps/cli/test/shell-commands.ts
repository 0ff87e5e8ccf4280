/**
 * The commands a shell script runs, read the way a person reads a CI step: the first word of
 * every simple command, after `&&`, `||`, `|`, `;`, inside `$( )` and backquotes, after shell
 * keywords (`if`, `then`, `do`, `!`) and wrappers (`sudo`, `env`, `xargs`, `timeout N`).
 * Functions the script defines and words that are variables are not commands of the machine.
 * Not a shell parser: enough for generated scripts, which a test of this reader pins down.
 */

const KEYWORDS = new Set(['if', 'then', 'else', 'elif', 'do', 'while', 'until', '!', 'time', '{', '(', 'function']);
const CLOSERS = new Set(['fi', 'done', 'esac', '}', ')', ';;', 'in']);
/** Words that run the next word as the command (`timeout 60 cmd`, `env A=b cmd`, `sudo -E cmd`). */
const WRAPPERS = new Set(['sudo', 'env', 'xargs', 'nohup', 'exec', 'timeout', 'command', 'nice']);

/** Splits one logical line at unquoted separators, collecting `$( )` and backquote bodies as scripts of their own. */
function segments(line: string, nested: string[]): string[] {
  const out: string[] = [];
  let current = '';
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quote === "'") {
      if (c === "'") quote = null;
      current += c;
      continue;
    }
    if (c === '\\') {
      current += c + (line[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '$' && line[i + 1] === '(' && line[i + 2] !== '(') {
      let depth = 1;
      let j = i + 2;
      for (; j < line.length && depth > 0; j++) {
        if (line[j] === '(') depth++;
        else if (line[j] === ')') depth--;
      }
      nested.push(line.slice(i + 2, j - 1));
      current += 'SUBST';
      i = j - 1;
      continue;
    }
    if (c === '`') {
      const end = line.indexOf('`', i + 1);
      nested.push(line.slice(i + 1, end < 0 ? line.length : end));
      current += 'SUBST';
      i = end < 0 ? line.length : end;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = null;
      current += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      current += c;
      continue;
    }
    if (c === '#' && (current === '' || /\s$/.test(current))) break;
    // `>&2`, `2>&1`, `&>file` are redirections, not separators.
    const redirection = c === '&' && (line[i - 1] === '>' || line[i - 1] === '<' || line[i + 1] === '>');
    if ((c === ';' || c === '|' || c === '&' || c === '\n') && !redirection) {
      out.push(current);
      current = '';
      if (line[i + 1] === c) i++;
      continue;
    }
    current += c;
  }
  out.push(current);
  return out;
}

/** Words of a segment, quotes removed (good enough for a command position). */
function words(segment: string): string[] {
  return (segment.match(/(?:[^\s"']+|"[^"]*"|'[^']*')+/g) ?? []).map((w) => w.replace(/["']/g, ''));
}

/** The command word of one simple command, or null for a keyword-only, assignment-only or case-pattern segment. */
function commandWord(segment: string): string | null {
  const ws = words(segment.trim());
  let i = 0;
  while (i < ws.length) {
    const w = ws[i] as string;
    // An assignment, to a variable or an array element (`A[key]=value`).
    if (KEYWORDS.has(w) || /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?=/.test(w)) {
      i++;
      continue;
    }
    if (WRAPPERS.has(w)) {
      i++;
      while (i < ws.length && (/^-/.test(ws[i] as string) || /^\d+[smh]?$/.test(ws[i] as string) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(ws[i] as string))) i++;
      continue;
    }
    break;
  }
  const w = ws[i];
  // `for x in a b`: the loop header names no command.
  if (w === 'for' || w === 'select') return null;
  if (w === undefined || CLOSERS.has(w) || w.startsWith('$') || w === 'SUBST' || w.endsWith(')') || w.startsWith('(') || w.startsWith('>') || w.startsWith('<')) return null;
  return w;
}

/** The script without here-document bodies (data, not commands). */
function withoutHeredocs(script: string): string {
  const out: string[] = [];
  const lines = script.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n] as string;
    out.push(line);
    const heredoc = /<<-?\s*['"]?([A-Za-z_]+)['"]?/.exec(line);
    if (!heredoc) continue;
    while (n + 1 < lines.length && (lines[n + 1] as string).trim() !== heredoc[1]) n++;
    n++; // the terminator line
  }
  return out.join('\n');
}

/** Lines split at newlines outside quotes: a quoted argument (an awk program) may span lines. */
function logicalLines(script: string): string[] {
  const out: string[] = [];
  let current = '';
  let quote: string | null = null;
  for (let i = 0; i < script.length; i++) {
    const c = script[i] as string;
    if (quote === null && c === '\\') {
      current += c + (script[i + 1] ?? '');
      i++;
      continue;
    }
    if (quote === null && c === '#' && (current === '' || /\s$/.test(current))) {
      while (i + 1 < script.length && script[i + 1] !== '\n') i++;
      continue;
    }
    if (quote === null && (c === '"' || c === "'")) quote = c;
    else if (quote === c) quote = null;
    if (c === '\n' && quote === null) {
      out.push(current);
      current = '';
    } else current += c;
  }
  out.push(current);
  return out;
}

/** The commands a script runs, in order, without duplicates. */
export function commandsOf(script: string): string[] {
  const lines = logicalLines(withoutHeredocs(script).replace(/\\\n/g, ' '));
  const functions = new Set<string>();
  const found: string[] = [];
  const nested: string[] = [];
  let inCase = false;
  for (let n = 0; n < lines.length; n++) {
    const line = (lines[n] as string).trim();
    const fn = /^(?:function\s+)?([A-Za-z_][\w-]*)\s*\(\)\s*\{?/.exec(line);
    if (fn) functions.add(fn[1] as string);
    if (/^case\b/.test(line)) inCase = true;
    else if (/^esac\b/.test(line)) inCase = false;
    else {
      // A case arm `pattern) command ;;`: the command follows the pattern; a function's body follows its `{`.
      const arm = inCase ? /^[^()]*\)\s*(.*)$/.exec(line) : null;
      const body = fn ? line.slice(fn[0].length) : arm ? (arm[1] as string) : line;
      for (const segment of segments(body, nested)) {
        const word = commandWord(segment);
        if (word !== null) found.push(word);
      }
    }
  }
  for (const body of nested) found.push(...commandsOf(body));
  return [...new Set(found)].filter((c) => !functions.has(c));
}
