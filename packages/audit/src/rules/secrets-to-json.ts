import { expressionsIn } from '../analysis.js';
import { createRule } from '../rule.js';

export const secretsToJson = createRule({
  meta: {
    id: 'secrets-to-json',
    category: 'secrets-sprawl',
    severity: 'high',
    description: 'An expression serializes the whole secrets context (toJSON(secrets)), exposing every repository and organization secret to one step.',
    fix: 'Reference only the secrets the step needs, each by name (${{ secrets.NAME }}).',
    kb: ['KB_05#Secrets'],
    risk: 'static-secret-leak',
  },
  appliesTo: ['github-workflow', 'github-action'],
  check({ pipeline, report }) {
    for (const s of pipeline.expressions) {
      for (const { body, offset } of expressionsIn(s.value)) {
        if (/\btojson\s*\(\s*secrets\s*\)/i.test(body)) report(pipeline.file.locIn(s.node, '${{', offset), 'toJSON(secrets) exposes every secret to this step.');
      }
    }
  },
});
