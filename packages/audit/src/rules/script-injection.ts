import { expressionsIn, normalizeExpression } from '../analysis.js';
import { rowFor } from '../knowledge.js';
import { matrixOf, type Entry, type Job, type Step, type Str } from '../model.js';
import { createRule } from '../rule.js';
import type { Confidence } from '../types.js';

/** Where attacker data reaches an expression: the untrusted context, or a name that carries it. */
interface Taint {
  what: string;
  confidence: Confidence;
}

/** Names that carry untrusted data within one job: env variables, matrix keys, step outputs. */
interface Carriers {
  env: Map<string, Taint>;
  matrix: Map<string, Taint>;
  /** `<step id>.<output>` of actions whose outputs are API responses. */
  outputs: Map<string, Taint>;
}

const ENV_REF = /(?<![\w.-])env\.([A-Za-z_][\w-]*)/g;
const MATRIX_REF = /(?<![\w.-])matrix\.([A-Za-z_][\w-]*)/g;
const OUTPUT_REF = /(?<![\w.-])steps\.([A-Za-z_][\w-]*)\.outputs\.([A-Za-z_][\w-]*)/g;

/** A shell evaluating a variable as code: `eval "$X"`, `bash -c "$X"`, `Invoke-Expression $env:X`. */
const SHELL_EVAL = /\b(?:eval|(?:ba|z|da|k)?sh\s+-c|pwsh\s+-c(?:ommand)?|Invoke-Expression|iex)\s+["']?\$(?:\{|env:)?([A-Za-z_]\w*)/g;

export const scriptInjection = createRule({
  meta: {
    id: 'script-injection',
    category: 'script-injection',
    severity: 'high',
    description: 'An attacker-controlled value (issue or pull request title and body, comment body, branch name, commit message or author, an API response) reaches code: expanded with ${{ }} into a run script or an action input that is code (actions/github-script script, PowerShell inline scripts, a yq cmd), directly or through an env variable, a matrix value or a step output, or evaluated by a shell from an env variable.',
    fix: 'Pass the value through an environment variable (env: TITLE: ${{ github.event.issue.title }}) and use "$TITLE" in the script without eval, or read it from context.payload in github-script.',
    kb: ['KB_17#Hardening', 'KB_04#Zero_Trust'],
    risk: 'runner-compromise',
  },
  appliesTo: ['github-workflow', 'github-action'],
  check(ctx) {
    const { pipeline, knowledge, strict } = ctx;
    const untrusted = strict ? knowledge.untrustedStrict : knowledge.untrusted;

    /** The first taint an expression body carries. */
    const taintIn = (body: string, carriers: Carriers): Taint | undefined => {
      const expr = normalizeExpression(body);
      const direct = untrusted.exec(expr);
      if (direct) return { what: direct[0], confidence: knowledge.untrusted.test(expr) ? 'high' : 'low' };
      for (const [re, map, key] of [
        [ENV_REF, carriers.env, (m: RegExpMatchArray) => m[1]!],
        [MATRIX_REF, carriers.matrix, (m: RegExpMatchArray) => m[1]!],
        [OUTPUT_REF, carriers.outputs, (m: RegExpMatchArray) => `${m[1]}.${m[2]}`],
      ] as const) {
        for (const m of expr.matchAll(re)) {
          const t = map.get(key(m));
          if (t) return { what: `${m[0]} (${t.what})`, confidence: t.confidence };
        }
      }
      return undefined;
    };

    const taintedEntries = (list: readonly Entry[], carriers: Carriers, into: Map<string, Taint>): void => {
      for (const e of list) {
        const v = e.value?.value;
        if (!v?.includes('${{')) continue;
        for (const { body } of expressionsIn(v)) {
          const t = taintIn(body, carriers);
          if (t) {
            into.set(e.key, { what: t.what, confidence: t.confidence });
            break;
          }
        }
      }
    };

    const report = (script: Str, where: string, carriers: Carriers): void => {
      for (const { body, offset } of expressionsIn(script.value)) {
        const t = taintIn(body, carriers);
        if (t) ctx.report(pipeline.file.locIn(script.node, '${{', offset), `${t.what} is expanded into ${where}; an attacker who sets it runs code.`, { confidence: t.confidence });
      }
    };

    const shellEval = (run: Str, env: ReadonlyMap<string, Taint>): void => {
      if (env.size === 0) return;
      for (const m of run.value.matchAll(SHELL_EVAL)) {
        const t = env.get(m[1]!);
        if (t) ctx.report(pipeline.file.locIn(run.node, m[0], m.index), `the shell evaluates $${m[1]}, which holds ${t.what}, as code.`, { confidence: t.confidence });
      }
    };

    const workflowEnv = new Map<string, Taint>();
    taintedEntries(pipeline.env, { env: new Map(), matrix: new Map(), outputs: new Map() }, workflowEnv);
    for (const job of pipeline.jobs) checkJob(job);

    function checkJob(job: Job): void {
      const carriers: Carriers = { env: new Map(workflowEnv), matrix: new Map(), outputs: new Map() };
      const matrix = matrixOf(job);
      const whole = matrix.whole ? expressionsIn(matrix.whole.value).map((x) => taintIn(x.body, carriers)).find(Boolean) : undefined;
      for (const [key, values] of matrix.values) {
        const t = values.flatMap((v) => expressionsIn(v.value)).map((x) => taintIn(x.body, carriers)).find(Boolean);
        if (t) carriers.matrix.set(key, t);
      }
      if (whole) carriers.matrix = new WholeMatrix(whole);
      taintedEntries(job.env, carriers, carriers.env);
      for (const step of job.steps) {
        checkStep(step, carriers);
        const api = rowFor(knowledge.apiResponses, step.uses?.value);
        if (api && step.id) for (const output of api) carriers.outputs.set(`${step.id}.${output}`, { what: `${step.uses!.value.split('@')[0]} output ${output}, which carries outside data`, confidence: 'medium' });
      }
    }

    function checkStep(step: Step, jobCarriers: Carriers): void {
      const stepEnv = new Map(jobCarriers.env);
      taintedEntries(step.env, jobCarriers, stepEnv);
      const carriers: Carriers = { ...jobCarriers, env: stepEnv };
      if (step.run) {
        report(step.run, 'a run script', carriers);
        shellEval(step.run, stepEnv);
      }
      const code = rowFor(knowledge.codeInputs, step.uses?.value);
      if (code) {
        for (const e of step.with) if (e.value && code.has(e.key.toLowerCase())) report(e.value, `the ${e.key} input of ${step.uses!.value.split('@')[0]}, which runs it as code`, carriers);
      }
    }
  },
});

/** Every `matrix.<key>` is tainted when the matrix as a whole comes from untrusted data. */
class WholeMatrix extends Map<string, Taint> {
  constructor(private readonly taint: Taint) {
    super();
  }
  override get(): Taint {
    return this.taint;
  }
}
