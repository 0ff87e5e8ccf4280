import { defineMode, modeModule } from '@ringmaster/core';
import { gitopsArtifacts } from './artifacts.js';
import { gitopsRules, lacksKubernetes } from './rules.js';
import { gitopsIntents } from './intents.js';

export { gitopsRules, lacksKubernetes } from './rules.js';
export {
  argocdApp,
  configPolicy,
  driftAlert,
  fluxKustomizations,
  gitopsArtifacts,
  inConfigRepo,
  overlays,
  syncObjectName,
  scriptedDeploy,
  syncWaveAnnotation,
} from './artifacts.js';

/** Mode 5: GitOps and policy-as-code. Zero ClickOps; cluster state equals Git state. */
export const gitopsMode = defineMode({
  id: 'gitops',
  title: 'GitOps & Policy-as-Code',
  specMode: 5,
  kb: ['KB_06#GitOps', 'KB_06#Policy_As_Code'],
  dependsOn: { inputs: ['/cd_strategy', '/gitops_tool', '/infra/orchestrator', '/ci_platform'], asks: ['orchestrator'] },
  intents: gitopsIntents,
  keywords: [
    'gitops',
    'git ops',
    'argocd',
    'argo cd',
    'flux*',
    'sync*',
    'drift*',
    'reconcil*',
    'clickops',
    'policy as code',
    'policies as code',
    'opa',
    'kyverno',
    'conftest',
    'gatekeeper',
    'config repo*',
  ],
  signals: [
    { id: 'profile:cd_strategy=gitops', weight: 0.7, when: (p) => p.cd_strategy === 'gitops' },
    { id: 'profile:gitops_tool', weight: 0.5, when: (p) => p.gitops_tool !== 'unknown' },
  ],
  rules: gitopsRules,
  artifacts: gitopsArtifacts,
  risks: () => ['policy-false-positive', 'deployment-failed'],
  notes: ({ profile }) => {
    if (lacksKubernetes(profile)) {
      return {
        fallbacks: [
          `gitops: orchestrator is ${profile.infra.orchestrator}, not Kubernetes: Scripted Deploy (spec section 10) that deploys only a signed Git tag's cosign-verified digest, so Git stays the source of truth.`,
        ],
      };
    }
    const warnings: string[] = [];
    if (profile.gitops_tool === 'unknown' || profile.gitops_tool === 'other') {
      warnings.push(`gitops: gitops_tool ${profile.gitops_tool === 'other' ? 'not supported' : 'not given'}: assumed Argo CD; set gitops_tool to "flux" for Flux manifests.`);
    }
    if (profile.infra.orchestrator === 'unknown') warnings.push('gitops: orchestrator not given: assumed Kubernetes with an in-cluster GitOps operator.');
    return { warnings };
  },
});

export const gitopsModule = modeModule(gitopsMode);
