import { ancestors, deploySteps, jobHits, VERIFY_COMMAND } from '../analysis.js';
import { usesAction } from '../model.js';
import { createRule } from '../rule.js';

export const deployWithoutVerify = createRule({
  meta: {
    id: 'deploy-without-verify',
    category: 'unverified-artifacts',
    severity: 'high',
    description: 'A job deploys (kubectl or helm from CI) without verifying the artifact\'s signature or attestation first (cosign verify, cosign verify-attestation, gh attestation verify, slsa-verifier) in that job or in a job it needs.',
    fix: 'Verify before deploying: cosign verify --certificate-identity ... image@sha256:... (or gh attestation verify), in the deploy job or a job it needs; better, enforce it at admission with a policy controller.',
    gitlabFix: 'Verify before deploying: cosign verify --certificate-identity \'<CI_SERVER_URL>/<project>//.gitlab-ci.yml@refs/heads/main\' image@sha256:... (keyless, from the job\'s id_tokens), in the deploy job or a job it needs; better, enforce it at admission with a policy controller.',
    kb: ['KB_04#Signing', 'KB_04#Zero_Trust'],
    risk: 'dependency-confusion',
  },
  appliesTo: ['github-workflow', 'gitlab-ci'],
  check({ pipeline, report }) {
    for (const job of pipeline.jobs) {
      const deploys = deploySteps(job);
      const first = deploys[0];
      if (!first) continue;
      const verified = [job, ...ancestors(pipeline, job)].some((j) => jobHits(j, VERIFY_COMMAND).length > 0 || j.steps.some((s) => usesAction(s, 'slsa-framework/slsa-verifier')));
      if (!verified) report(pipeline.file.locIn(first.run.node, first.text, first.offset), `job ${job.id} deploys without verifying a signature first.`);
    }
  },
});
