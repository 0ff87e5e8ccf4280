import { createRule } from '../rule.js';
import type { Entry } from '../model.js';

const SECRET_NAME = /(?:^|_)(?:PASSWORD|PASSWD|PASS|SECRET|TOKEN|API_KEY|APIKEY|PRIVATE_KEY)$/i;
/** A value that is a reference, not a literal: `${{ ... }}`, `$VAR`, `${VAR}`. */
const REFERENCE = /^\s*(?:\$\{\{[\s\S]*\}\}|\$\{?[A-Za-z_][A-Za-z0-9_]*\}?)\s*$/;

export const hardcodedPassword = createRule({
  meta: {
    id: 'hardcoded-password',
    category: 'static-credentials',
    severity: 'medium',
    description: 'A password, token or secret is written as a literal value in the pipeline (container or service credentials, env or variables whose name ends in PASSWORD, TOKEN, SECRET or API_KEY).',
    fix: 'Move the value to the secret store and reference it (${{ secrets.NAME }} or a masked, protected CI/CD variable); rotate the committed value.',
    gitlabFix: 'Move the value to a masked, protected CI/CD variable (or fetch it from Vault with id_tokens: and secrets:) and reference it as $NAME; rotate the committed value.',
    kb: ['KB_05#Secrets', 'KB_05#Secret_Stores'],
    risk: 'static-secret-leak',
  },
  appliesTo: ['github-workflow', 'github-action', 'gitlab-ci'],
  check({ pipeline, report }) {
    const check = (entries: readonly Entry[], where: string): void => {
      for (const e of entries) {
        if (!SECRET_NAME.test(e.key) && e.key !== 'password') continue;
        const v = e.value?.value;
        if (v === undefined || v.trim() === '' || REFERENCE.test(v) || /^(?:true|false)$/i.test(v)) continue;
        report(e.value!.node, `${where} ${e.key} is a literal; reference a secret instead.`);
      }
    };
    check(pipeline.env, 'env');
    for (const job of pipeline.jobs) {
      check(job.credentials, `job ${job.id} container/service`);
      check(job.env, `job ${job.id} ${pipeline.kind === 'gitlab-ci' ? 'variable' : 'env'}`);
      for (const step of job.steps) check(step.env, `step env`);
    }
  },
});
