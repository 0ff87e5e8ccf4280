import type { IntentTable } from '@ringmaster/core';

/** How people ask for Git-driven deploys, and the symptoms of hand-made changes. Phrase syntax: see intent.ts in core. */
export const gitopsIntents: IntentTable = {
  outcome: 'Git as the source of truth for deploys: GitOps sync, no kubectl to production, drift detection',
  intents: [
    {
      means: 'hand-made production changes',
      pain: 'manual_toil',
      phrases: ['deploy* from ... laptop*', 'ship* from ... laptop*', 'release* from ... laptop*', 'push* from ... laptop*', 'laptop*', 'from ... own machine*', 'from their machine*', 'from ... local machine*', 'push* straight to prod*', 'push* directly to prod*', 'deploy* straight to prod*', 'deploy* directly to prod*', 'push* ... to prod* from', 'kubectl apply', 'kubectl edit', 'kubectl patch', 'kubectl ... prod*', 'helm install ... prod*', 'helm upgrade', 'manual* chang* ... cluster*', 'chang* ... cluster* ... by hand', 'hand edit*', 'hand made chang*', 'ssh* into ... prod*', 'ssh* into ... server*', 'click* ... console', 'console chang*', 'snowflake server*', 'out of band chang*'],
    },
    {
      means: 'not knowing what runs',
      phrases: ['config drift', 'drift', 'out of sync', 'nobody knows what ... running', 'what ... actually running', 'what ... actually deployed', 'what version ... running', 'source of truth', 'declarative*', 'cluster state', 'desired state', 'admission control*', 'policy engine*', 'argo', 'flux'],
    },
  ],
  falseFriends: ['sync* ... data', 'data sync*', 'sync* ... database*', 'sync* ... salesforce', 'sync* ... hubspot', 'sync* ... crm', 'sync meeting*', 'in sync with ... team*'],
};
