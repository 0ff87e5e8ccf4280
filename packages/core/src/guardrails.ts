import type { GuardrailViolation } from './errors.js';

/** A rendered file as the guardrails see it. */
export interface GuardedFile {
  path: string;
  content: string;
}

/** Spec section 6 and the DoD's critical failures, as checks over rendered files and decisions. */
export interface Guardrail {
  id: string;
  kb: string;
  description: string;
  check(files: readonly GuardedFile[], fields: ReadonlyMap<string, unknown>): GuardrailViolation[];
}

/** A value that is a reference, not a secret: `${{ secrets.X }}`, `$VAR`, `${VAR}`, `$(cmd)`, `<name>`, `{{ x }}`, or a secret-store path. */
const REFERENCE = /^["']?(\$\{\{|\$\{|\$\(|\$[A-Za-z_]|\{\{|<|arn:|projects\/|https:\/\/[a-z0-9-]+\.vault\.azure\.net|secretRef|valueFrom|\[REDACTED\])/;

const SECRET_LITERALS: readonly [RegExp, string][] = [
  [/\bAKIA[0-9A-Z]{16}\b/, 'AWS access key id'],
  [/-----BEGIN (?:RSA |EC |OPENSSH |DSA |ENCRYPTED )?PRIVATE KEY-----/, 'private key block'],
  [/\bgh[pousr]_[A-Za-z0-9]{36,}\b/, 'GitHub token'],
  [/\bglpat-[A-Za-z0-9_-]{20,}\b/, 'GitLab token'],
  [/\bxox[abprs]-[A-Za-z0-9-]{10,}\b/, 'Slack token'],
  [/"private_key"\s*:\s*"-----BEGIN/, 'service-account JSON key'],
];

/** `NAME: value` or `NAME=value` where NAME says secret and value is a literal. */
const SECRET_ASSIGNMENT = /\b([A-Za-z_]*(?:SECRET|PASSWORD|PASSWD|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|TOKEN)[A-Za-z_]*)\s*[:=]\s*(\S.*)$/i;

/** A necessary condition for SECRET_ASSIGNMENT, cheap to test first (the assignment pattern backtracks on every word). */
const SECRET_WORD = /SECRET|PASSWORD|PASSWD|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|TOKEN/i;

/** Any of SECRET_LITERALS, in one pass: matches somewhere in a text exactly when one of them does. */
const ANY_SECRET_LITERAL = new RegExp(SECRET_LITERALS.map(([pattern]) => `(?:${pattern.source})`).join('|'));

/** SECRET_WORD, to find its matches in a whole file (a match never spans a line break). */
const SECRET_WORDS = new RegExp(SECRET_WORD.source, 'gi');

function lines(file: GuardedFile): string[] {
  return file.content.split('\n');
}

/** A literal value assigned to a secret-sounding name on this line, as a violation detail. */
function secretAssignment(line: string): string | undefined {
  const assignment = SECRET_ASSIGNMENT.exec(line);
  if (!assignment) return undefined;
  const value = (assignment[2] ?? '').trim().replace(/[,;]$/, '');
  const literal = value.replace(/^["']|["']$/g, '');
  if (literal.length >= 8 && /^[A-Za-z0-9+/=_\-.]+$/.test(literal) && !REFERENCE.test(value) && /\d/.test(literal) && /[A-Za-z]/.test(literal)) {
    return `literal value assigned to ${assignment[1]}`;
  }
  return undefined;
}

export const GUARDRAILS: readonly Guardrail[] = [
  {
    id: 'no-static-secrets',
    kb: 'KB_05#Secrets',
    description: 'No static secret (cloud keys, tokens, passwords, private keys) in any generated file; credentials come from OIDC or a secret store, by reference.',
    check(files) {
      const found: GuardrailViolation[] = [];
      for (const file of files) {
        // Whole-file tests first: a pattern that matches no part of the file matches none of its lines.
        const literals = ANY_SECRET_LITERAL.test(file.content) ? SECRET_LITERALS.filter(([pattern]) => pattern.test(file.content)) : [];
        if (literals.length > 0) {
          for (const [i, line] of lines(file).entries()) {
            for (const [pattern, what] of literals) {
              if (pattern.test(line)) found.push({ guardrail: this.id, where: `${file.path}:${i + 1}`, detail: `${what} literal`, kb: this.kb });
            }
            const detail = SECRET_WORD.test(line) ? secretAssignment(line) : undefined;
            if (detail) found.push({ guardrail: this.id, where: `${file.path}:${i + 1}`, detail, kb: this.kb });
          }
          continue;
        }
        // No literal: only the lines holding a secret word can hold an assignment. Find them
        // from the word's matches in the whole file, in order, each line once.
        const text = file.content;
        let n = 1;
        let counted = 0;
        SECRET_WORDS.lastIndex = 0;
        for (let match = SECRET_WORDS.exec(text); match; match = SECRET_WORDS.exec(text)) {
          const start = text.lastIndexOf('\n', match.index) + 1;
          const newline = text.indexOf('\n', match.index);
          const end = newline === -1 ? text.length : newline;
          for (let at = text.indexOf('\n', counted); at !== -1 && at < start; at = text.indexOf('\n', at + 1)) n += 1;
          counted = start;
          const detail = secretAssignment(text.slice(start, end));
          if (detail) found.push({ guardrail: this.id, where: `${file.path}:${n}`, detail, kb: this.kb });
          if (newline === -1) break;
          SECRET_WORDS.lastIndex = newline + 1;
        }
      }
      return found;
    },
  },
  {
    id: 'no-clickops-to-production',
    kb: 'KB_06#GitOps',
    description: 'No imperative change to production (kubectl apply/create/edit/patch/replace/set, helm install/upgrade) and no manual deploy mechanism; production changes go through Git.',
    check(files, fields) {
      const found: GuardrailViolation[] = [];
      const imperative = /\b(kubectl\s+(apply|create|edit|patch|replace|set)\b|helm\s+(install|upgrade)\b)/;
      for (const file of files) {
        if (!imperative.test(file.content)) continue;
        for (const [i, line] of lines(file).entries()) {
          if (imperative.test(line) && /prod/i.test(line)) {
            found.push({ guardrail: this.id, where: `${file.path}:${i + 1}`, detail: 'imperative change aimed at production', kb: this.kb });
          }
        }
      }
      const mechanism = fields.get('pipeline_blueprint.deploy_mechanism');
      if (typeof mechanism === 'string' && /manual|clickops|console/.test(mechanism)) {
        found.push({ guardrail: this.id, where: 'pipeline_blueprint.deploy_mechanism', detail: `deploy mechanism ${mechanism}`, kb: this.kb });
      }
      return found;
    },
  },
  {
    id: 'build-once',
    kb: 'KB_01#Build_Once',
    description: 'Production is never rebuilt: a job or stage that targets production must not build an image; it promotes the tested digest.',
    check(files) {
      const found: GuardrailViolation[] = [];
      const build = /\b(docker\s+(buildx\s+)?build|buildah\s+bud|kaniko|podman\s+build|docker\/build-push-action)\b/;
      for (const file of files) {
        // No image build anywhere in the file: no block of it can build one.
        if (!build.test(file.content)) continue;
        // Split CI files into job-sized blocks at top-level or second-level keys, and at each
        // Azure Pipelines stage (a list item under `stages:`, holding its jobs).
        let block = '';
        let blockStart = 1;
        const flush = (): void => {
          if (/(environment|name|stage|deploy)[^\n]*prod/i.test(block) && build.test(block)) {
            found.push({ guardrail: this.id, where: `${file.path}:${blockStart}`, detail: 'a production job builds an image instead of promoting the tested digest', kb: this.kb });
          }
        };
        for (const [i, line] of lines(file).entries()) {
          if (/^ {0,2}[A-Za-z0-9_.-]+:\s*$/.test(line) || /^\s*- stage:/.test(line)) {
            flush();
            block = '';
            blockStart = i + 1;
          }
          block += `${line}\n`;
        }
        flush();
      }
      return found;
    },
  },
  {
    id: 'verified-artifacts-only',
    kb: 'KB_04#Signing',
    description: 'Nothing unverified on a deploy path: workload images are pinned by digest, never :latest or a bare tag, and scripts that deploy verify the signature first.',
    check(files, fields) {
      const found: GuardrailViolation[] = [];
      for (const file of files) {
        // A line without `image:` cannot match the image pattern.
        if (/\.ya?ml$/.test(file.path) && file.content.includes('image:')) {
          let workload: boolean | undefined;
          for (const [i, line] of lines(file).entries()) {
            if (!line.includes('image:')) continue;
            const image = /^\s*-?\s*image:\s*["']?([^"'\s#]+)/.exec(line);
            if (image && !/^(\$|\{\{)/.test(image[1] ?? '') && /^[a-z0-9.-]+(:\d+)?\//.test(image[1] ?? '') && !(image[1] ?? '').includes('@sha256:')) {
              // Only workload manifests count; CI job images are build tools, covered by the audit's pinning rule.
              workload ??= /^\s*(kind:\s*(Deployment|Rollout|StatefulSet|DaemonSet|Pod|Job|CronJob))/m.test(file.content);
              if (workload) {
                found.push({ guardrail: this.id, where: `${file.path}:${i + 1}`, detail: `workload image ${image[1]} is not pinned by digest`, kb: this.kb });
              }
            }
          }
        }
        if (/\.sh$/.test(file.path)) {
          const deploys = /\b(kubectl\s+(set\s+image|apply)|helm\s+(upgrade|install)|argocd\s+app\s+(set|sync)|flux\s+reconcile)\b/.test(file.content);
          if (deploys && !/\bcosign\s+verify\b/.test(file.content)) {
            found.push({ guardrail: this.id, where: file.path, detail: 'script deploys without cosign verify', kb: this.kb });
          }
        }
      }
      const verification = fields.get('security_controls.verification');
      if (verification === 'none') found.push({ guardrail: this.id, where: 'security_controls.verification', detail: 'no artifact verification', kb: this.kb });
      return found;
    },
  },
];

export function checkGuardrails(files: readonly GuardedFile[], fields: ReadonlyMap<string, unknown>): GuardrailViolation[] {
  return GUARDRAILS.flatMap((g) => g.check(files, fields));
}
