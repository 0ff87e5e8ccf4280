import { isMap, isSeq, isScalar, type Node } from 'yaml';
import { secretRefs } from '../analysis.js';
import { actionName, type Entry } from '../model.js';
import { createRule } from '../rule.js';

/** Names of long-lived cloud keys that OIDC federation replaces. */
const CLOUD_KEY = /^(?:AWS_SECRET_ACCESS_KEY|AWS_ACCESS_KEY_ID|AWS_SESSION_TOKEN|AZURE_CLIENT_SECRET|ARM_CLIENT_SECRET|AZURE_CREDENTIALS|GCP_SA_KEY|GCP_CREDENTIALS|GCP_SERVICE_ACCOUNT_KEY|GOOGLE_CREDENTIALS|GOOGLE_APPLICATION_CREDENTIALS_JSON|GCLOUD_SERVICE_KEY|GKE_SA_KEY)$/i;
/** Action inputs that take a long-lived key. */
const KEY_INPUTS: Record<string, readonly string[]> = {
  'aws-actions/configure-aws-credentials': ['aws-secret-access-key', 'aws-access-key-id'],
  'google-github-actions/auth': ['credentials_json'],
  'google-github-actions/setup-gcloud': ['service_account_key'],
  'azure/login': ['creds'],
};
const AWS_ACCESS_KEY_LITERAL = /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/;

export const staticCloudCredentials = createRule({
  meta: {
    id: 'static-cloud-credentials',
    category: 'static-credentials',
    severity: 'critical',
    description: 'A long-lived cloud key (AWS access key, Azure client secret, GCP service-account JSON key) is passed to CI through env, with inputs, variables or a secret name, where OIDC federation would issue a short-lived token instead.',
    fix: 'Delete the key and federate: aws-actions/configure-aws-credentials with role-to-assume, google-github-actions/auth with workload_identity_provider, azure/login with client-id and no secret; grant id-token: write to that job only.',
    gitlabFix: 'Delete the key and federate: give the job id_tokens: with the cloud\'s audience and exchange it (aws sts assume-role-with-web-identity, GCP workload identity federation, Azure federated credentials); keep no cloud key in CI/CD variables.',
    kb: ['KB_05#OIDC', 'KB_05#GitHub_Actions_OIDC'],
    risk: 'static-secret-leak',
  },
  appliesTo: ['github-workflow', 'github-action', 'gitlab-ci'],
  check({ pipeline, report }) {
    const seen = new Set<Node>();
    const flag = (at: Node, message: string): void => {
      if (seen.has(at)) return;
      seen.add(at);
      report(at, message);
    };
    const checkEnv = (entries: readonly Entry[]): void => {
      for (const e of entries) {
        const viaSecret = secretRefs(e.value?.value ?? '').find((n) => CLOUD_KEY.test(n));
        if (CLOUD_KEY.test(e.key)) flag(e.keyNode, `${e.key} hands a long-lived cloud key to the job; federate with OIDC instead.`);
        else if (viaSecret) flag(e.keyNode, `${e.key} carries secrets.${viaSecret}, a long-lived cloud key; federate with OIDC instead.`);
      }
    };
    checkEnv(pipeline.env);
    for (const job of pipeline.jobs) {
      checkEnv(job.env);
      checkEnv(job.secretsEntries);
      for (const step of job.steps) {
        checkEnv(step.env);
        const inputs = step.uses ? KEY_INPUTS[actionName(step.uses.value)] : undefined;
        for (const e of step.with) {
          if (inputs?.includes(e.key)) flag(e.keyNode, `${actionName(step.uses!.value)} gets ${e.key}, a long-lived cloud key; use its OIDC inputs instead.`);
        }
        checkEnv(step.with.filter((e) => !inputs?.includes(e.key)));
      }
    }
    // a literal AWS access key id anywhere in the file or the files it includes
    const visit = (node: unknown): void => {
      if (isMap(node)) for (const pair of node.items) visit(pair.value);
      else if (isSeq(node)) for (const item of node.items) visit(item);
      else if (isScalar(node) && typeof node.value === 'string' && AWS_ACCESS_KEY_LITERAL.test(node.value)) {
        flag(node, 'a literal AWS access key id is committed in the pipeline; revoke it and federate with OIDC.');
      }
    };
    visit(pipeline.file.doc.contents);
    for (const included of pipeline.includes) visit(included.doc.contents);
  },
});
