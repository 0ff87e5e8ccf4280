import { scriptHits } from '../analysis.js';
import { createRule } from '../rule.js';

const JOB_TOKEN = String.raw`\$\{?CI_JOB_TOKEN\}?`;
/** The token printed or written to a file, where job logs and artifacts keep it. */
const EXPOSED = new RegExp(String.raw`\b(?:echo|printf)\b[^|;&\n]*${JOB_TOKEN}[^|;&\n]*`);
/** Piped into another command's standard input (docker login --password-stdin): neither printed nor stored, unless by tee. */
const PIPED = /^\s*\|(?!\s*tee\b)/;
/** A URL or registry in a command line that also carries the token. */
const HOSTS = /https?:\/\/(?:[^@\s/"']*@)?([^/\s"':]+)|\b(?:docker|podman|buildah)\s+login\b[^\n]*?\s([\w.-]+\.[a-z]{2,}(?::\d+)?)(?:\s|$)/g;
/** A script line that carries the token. */
const TOKEN_LINE = new RegExp(`[^\\n]*${JOB_TOKEN}[^\\n]*`);
/** Hosts of the GitLab instance itself, as predefined variables name them. */
const OWN_HOST = /^\$\{?CI_(?:SERVER_HOST|SERVER_FQDN|SERVER_URL|API_V4_URL|REGISTRY|DEPENDENCY_PROXY_SERVER|PAGES_DOMAIN|PROJECT_URL)\b|^\$\{?CI_SERVER/;

export const jobTokenMisuse = createRule({
  meta: {
    id: 'job-token-misuse',
    category: 'secrets-sprawl',
    severity: 'high',
    description: 'A GitLab job prints CI_JOB_TOKEN, writes it to a file, or sends it to a host other than the GitLab instance, so the token, which acts with the permissions of the user who ran the pipeline, leaks into logs, artifacts or a third party.',
    fix: 'Send CI_JOB_TOKEN only to $CI_SERVER_HOST, $CI_API_V4_URL or $CI_REGISTRY, never echo it or write it to artifacts; use a dedicated, scoped token from a masked, protected variable for other hosts, and limit the job token allowlist (Settings > CI/CD > Job token permissions).',
    kb: ['KB_05#Secrets'],
    risk: 'static-secret-leak',
  },
  appliesTo: ['gitlab-ci'],
  check({ pipeline, report }) {
    for (const job of pipeline.jobs) {
      for (const step of job.steps) {
        for (const hit of scriptHits(step, EXPOSED)) {
          if (PIPED.test(hit.run.value.slice(hit.offset + hit.text.length))) continue;
          report(pipeline.file.locIn(hit.run.node, hit.text, hit.offset), `job ${job.id} ${/>/.test(hit.text) ? 'writes CI_JOB_TOKEN to a file' : 'prints CI_JOB_TOKEN to the job log'}.`);
        }
        for (const hit of scriptHits(step, TOKEN_LINE)) {
          for (const m of hit.text.matchAll(HOSTS)) {
            const host = (m[1] ?? m[2])!;
            if (OWN_HOST.test(host) || host.startsWith('$')) continue;
            const at = hit.offset + m.index + m[0].indexOf(host);
            report(pipeline.file.locIn(hit.run.node, host, at), `job ${job.id} sends CI_JOB_TOKEN to ${host}, which is not this GitLab instance.`);
          }
        }
      }
    }
  },
});
