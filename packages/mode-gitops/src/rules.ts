import type { ModeContext, NormalizedProfile, Rule } from '@ringmaster/core';

/** Spec section 10: without Kubernetes there is no GitOps operator, so the deploy is scripted but still driven by Git. */
export function lacksKubernetes(profile: NormalizedProfile): boolean {
  return profile.infra.orchestrator !== 'unknown' && profile.infra.orchestrator !== 'kubernetes';
}

/** No GitOps operator pulls (push or manual CD, or a platform other than Kubernetes): the deploy is a script driven by Git. */
const scripted = ({ delivery }: ModeContext): boolean => delivery.gitops.tool === 'none';

/** Mode 5's decisions, one row each; the first matching row of a field wins. */
export const gitopsRules: readonly Rule[] = [
  {
    id: 'gitops/deploy-scripted-fallback',
    field: 'pipeline_blueprint.deploy_mechanism',
    when: scripted,
    value: 'scripted_git_driven',
    why: 'No GitOps operator pulls (the platform is not Kubernetes, or the profile asks for push CD): a script deploys only the digests the config repository names for the target, one per service, each verified with cosign, keeping Git the source of truth.',
    kb: ['KB_06#Scripted_Deploy', 'KB_06#GitOps'],
  },
  {
    id: 'gitops/deploy-pull',
    field: 'pipeline_blueprint.deploy_mechanism',
    value: 'gitops_pull',
    why: 'An in-cluster operator pulls the desired state from the config repo: no CI credentials into the cluster and no ClickOps, and every change is a reviewed commit.',
    kb: ['KB_06#GitOps'],
  },
  {
    id: 'gitops/stages-scripted',
    field: 'pipeline_blueprint.stages',
    when: scripted,
    value: ['build', 'publish', 'release_tag', 'deploy'],
    why: 'The pipeline publishes the digest, records it in a signed config-repo tag, and the scripted deploy rolls out exactly that tag.',
    kb: ['KB_06#Scripted_Deploy'],
  },
  {
    id: 'gitops/stages-sync',
    field: 'pipeline_blueprint.stages',
    value: ['build', 'publish', 'sync'],
    why: 'CI stops at publishing the image and updating the config repo; the operator syncs the cluster to Git, so drift is corrected continuously.',
    kb: ['KB_06#GitOps_Sync'],
  },
  {
    id: 'gitops/gates-scripted',
    field: 'pipeline_blueprint.gates',
    when: scripted,
    value: ['opa_policy_check', 'signature_verification'],
    why: 'Config-repo pull requests pass the OPA policy before merge, and the deploy script refuses any digest cosign cannot verify.',
    kb: ['KB_06#Policy_As_Code', 'KB_04#Signing'],
  },
  {
    id: 'gitops/gates-policy',
    field: 'pipeline_blueprint.gates',
    value: ['opa_policy_check', 'sync_health_check'],
    why: 'Policy-as-code checks every config-repo pull request before merge, and a release counts as done only when the application is Synced and Healthy.',
    kb: ['KB_06#Policy_As_Code', 'KB_06#GitOps_Sync'],
  },
];
