import { deployRegions, type ModeContext, type Rule } from '@ringmaster/core';

export { DEFAULT_GLOBAL_REGION, deployRegions, jurisdictionOf } from '@ringmaster/core';

/** build, test, security, publish, then one deploy stage per promotion target, integration tests after the first. */
const targetStages = ({ delivery }: ModeContext): string[] => {
  const [first, ...rest] = delivery.targets.map((t) => `deploy_${t.name}`);
  return ['build', 'test', 'security', 'publish', ...(first === undefined ? [] : [first, 'integration_test']), ...rest];
};

const hasResidency = ({ profile }: ModeContext): boolean => profile.crm.data_residency_regions.length > 0;
const usesRings = ({ profile }: ModeContext): boolean => profile.crm.multi_tenant === true || profile.release_policy.ring_model.enabled === true;
const infrequentCadence = ({ profile }: ModeContext): boolean => /quarter|month|year|annual|semi/i.test(profile.release_policy.cadence);

export const blueprintRules: readonly Rule[] = [
  {
    id: 'blueprint/trunk-based',
    field: 'pipeline_blueprint.branching_strategy',
    value: 'trunk_based',
    why: 'Short-lived branches merged to main keep one releasable line; release branches only cut from trunk.',
    kb: ['KB_02#Trunk_Based'],
  },
  {
    id: 'blueprint/ci-triggers',
    field: 'pipeline_blueprint.triggers',
    value: ['pull_request', 'push_main'],
    why: 'Pull requests run the verification stages; a merge to main builds, signs and publishes the one artifact that is promoted.',
    kb: ['KB_02#Trunk_Based'],
  },
  {
    id: 'blueprint/stages-residency',
    field: 'pipeline_blueprint.stages',
    when: hasResidency,
    value: ({ delivery }: ModeContext) => ['build', 'test', 'security', 'publish', ...new Set(delivery.targets.map((t) => `deploy_${t.jurisdiction ?? t.name}`))],
    why: 'Data residency beats architecture elegance: each jurisdiction gets its own deploy stage behind a residency policy gate.',
    kb: ['KB_18#Residency', 'KB_01#Architecture'],
  },
  {
    id: 'blueprint/stages-rings',
    field: 'pipeline_blueprint.stages',
    when: usesRings,
    value: targetStages,
    why: 'A multi-tenant platform releases ring by ring: internal tenants, then early adopters, then general availability.',
    kb: ['KB_18#Ring_Deployment', 'KB_01#Multi_Tenancy'],
  },
  {
    id: 'blueprint/stages-standard',
    field: 'pipeline_blueprint.stages',
    value: targetStages,
    why: 'The standard enterprise pipeline: build once, verify, publish the signed artifact, promote it through staging to production.',
    kb: ['KB_01#Architecture', 'KB_12#Promotion'],
  },
  {
    id: 'blueprint/gates',
    field: 'pipeline_blueprint.gates',
    value: ({ profile }: ModeContext) => [
      'unit_tests_pass',
      'sast_clean',
      'signature_verified',
      ...(profile.crm.data_residency_regions.length > 0 ? ['opa_residency_check'] : []),
      ...(profile.release_policy.change_approval_level === 'cab' ? ['manual_approval'] : []),
      ...(profile.release_policy.change_approval_level === 'peer_review' ? ['peer_review'] : []),
    ],
    why: 'Every promotion passes tests, static analysis and signature verification; residency and change approval add their own gates when the profile calls for them.',
    kb: ['KB_06#Policy_As_Code', 'KB_04#Signing', 'KB_11#Change_Approval'],
  },
  {
    id: 'blueprint/caching-long-term',
    field: 'pipeline_blueprint.caching_strategy',
    when: (ctx) => ctx.profile.release_policy.change_approval_level === 'cab' || infrequentCadence(ctx),
    value: 'long_term',
    why: 'Infrequent, approved releases keep content-addressed caches (keyed by lockfile hash) for the whole release cycle, read-only on release branches, so a release reuses exactly what was verified.',
    kb: ['KB_17#Caching', 'KB_11#Code_Freeze'],
  },
  {
    id: 'blueprint/caching-scoped',
    field: 'pipeline_blueprint.caching_strategy',
    value: 'scoped_keys',
    why: 'Caches are keyed by branch and lockfile hash and never restored from pull requests into release jobs, which defeats cache poisoning.',
    kb: ['KB_17#Caching'],
  },
  {
    id: 'blueprint/build-once',
    field: 'pipeline_blueprint.artifact_promotion',
    value: 'build_once_promote_by_digest',
    why: 'Production runs the exact image that was tested: one build, promoted by its sha256 digest, never rebuilt.',
    kb: ['KB_01#Build_Once', 'KB_13#Digest_Pinning'],
  },
  {
    id: 'blueprint/deploy-scripted',
    field: 'pipeline_blueprint.deploy_mechanism',
    when: ({ delivery }: ModeContext) => delivery.gitops.tool === 'none',
    value: 'scripted_git_driven',
    why: 'No GitOps operator pulls (the platform is not Kubernetes, or the profile asks for push CD): a scripted deploy runs from the pipeline on a Git change only and deploys the digest the config repository names, keeping Git as the source of truth.',
    kb: ['KB_06#Scripted_Deploy'],
  },
  {
    id: 'blueprint/deploy-gitops',
    field: 'pipeline_blueprint.deploy_mechanism',
    value: 'gitops_pull',
    why: 'An operator in the cluster pulls the desired state from Git; nobody and no pipeline pushes changes into production.',
    kb: ['KB_06#GitOps'],
  },
  {
    id: 'blueprint/ci-vendor',
    field: 'pipeline_blueprint.ci_vendor',
    value: ({ profile }: ModeContext) => (profile.ci_vendor === 'unknown' || profile.ci_vendor === 'other' ? 'github_actions' : profile.ci_vendor),
    why: 'Pipeline files follow the CI platform; when it is not known, GitHub Actions is assumed and the question is asked.',
    kb: ['KB_05#OIDC_Identity'],
  },
  {
    id: 'blueprint/registry',
    field: 'pipeline_blueprint.registry',
    value: ({ profile }: ModeContext) =>
      ({ gitlab_ci: 'gitlab_container_registry', azure_devops: 'azure_container_registry' } as Record<string, string>)[profile.ci_vendor] ?? 'github_container_registry',
    why: "The artifact is published once, by digest, to the CI platform's own OCI registry, which the job reaches with its short-lived job token (no stored registry password); clusters pull it by digest.",
    kb: ['KB_13#Artifact_Registry', 'KB_13#Immutable_Tags'],
  },
  {
    id: 'blueprint/regions',
    field: 'pipeline_blueprint.regions',
    when: (ctx) => hasResidency(ctx) || ctx.profile.infra.regions.length > 0,
    value: ({ profile }: ModeContext) => deployRegions(profile),
    why: 'Regions deploy in order, residency regions first, each from its own stage.',
    kb: ['KB_18#Residency'],
  },
];
