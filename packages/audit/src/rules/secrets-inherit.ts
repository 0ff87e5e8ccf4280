import { createRule } from '../rule.js';

export const secretsInherit = createRule({
  meta: {
    id: 'secrets-inherit',
    category: 'secrets-sprawl',
    severity: 'medium',
    description: 'A reusable-workflow call passes secrets: inherit, handing every secret of the caller to the called workflow instead of the ones it declares.',
    fix: 'Pass the secrets the called workflow declares by name (secrets: { NPM_TOKEN: ${{ secrets.NPM_TOKEN }} }).',
    kb: ['KB_05#Secrets'],
    risk: 'static-secret-leak',
  },
  appliesTo: ['github-workflow'],
  check({ pipeline, report }) {
    for (const job of pipeline.jobs) {
      if (job.secrets?.value === 'inherit') report(job.secrets.node, `job ${job.id} passes all secrets to ${job.uses?.value ?? 'the called workflow'}.`);
    }
  },
});
