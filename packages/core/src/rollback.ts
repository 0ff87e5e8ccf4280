import { rolloutNameOf, type DeliverySystem } from './delivery.js';
import type { ModeContext } from './mode.js';
import { runsKubernetes } from './not-generated.js';

/** `kubectl argo rollouts abort`: stops the canary's traffic at once without changing the desired state, so no controller reverts it. */
function rolloutAbortCommand(d: DeliverySystem, workloadRef: boolean): string {
  const [only, ...others] = d.services;
  if (others.length === 0) return `kubectl argo rollouts abort ${rolloutNameOf(only.name, workloadRef)} -n ${only.namespace}`;
  return `kubectl argo rollouts abort ${rolloutNameOf('SERVICE', workloadRef)} -n SERVICE (the namespace is the service's name)`;
}

/**
 * How a plan rolls `target` back, as one Markdown sentence named from its delivery system so that
 * every runbook and checklist says the same thing as the files: the previously promoted digest goes
 * back into the target's promotion file in the config repository (by the generated promotion
 * script, or by `ringmaster rollback`), and then the GitOps operator syncs it, or, without one, the
 * pipeline's deploy job redeploys it. Never a command that changes the cluster behind Git's back:
 * Argo CD and Flux self-heal revert `kubectl argo rollouts undo` or `kubectl set image`. `target` is
 * a target's name, or a word such as `RING` standing for any of them.
 */
function rollbackInstruction(d: DeliverySystem, target: string): string {
  const [only, ...others] = d.services;
  // One service: its name; several: the word SERVICE, and which services it stands for.
  const service = others.length === 0 ? only.name : 'SERVICE';
  const image = others.length === 0 ? '' : ' --image IMAGE';
  const cliCommand = (to?: string): string => `ringmaster rollback --config-repo ${d.configRepo.url} --target ${target}${image}${to === undefined ? '' : ` --to ${to}`}`;
  const applied =
    d.gitops.tool === 'none'
      ? d.gitops.deployScript === null
        ? "then the pipeline's deploy step deploys the digest the config repository names, after verifying its signature"
        : `then \`${d.gitops.deployScript} ${target}\`, run by the pipeline's deploy step or by a job holding the deploy credentials, deploys the digest the config repository names, after verifying its signature`
      : `${d.gitops.tool === 'argocd' ? 'Argo CD' : 'Flux'} syncs it to the cluster (a command against the cluster such as \`kubectl argo rollouts undo\` is not a rollback: self-heal reverts what Git does not hold)`;
  const known = d.targets.some((t) => t.name === target);
  const which = known ? target : `${target} (one of ${d.targets.map((t) => t.name).join(', ')})`;
  const cli = `\`${cliCommand()}\` lists the digests promoted to it and \`${cliCommand('DIGEST')}\` commits one of them back`;
  const how = d.gitops.promotionScript === null ? cli : `\`${d.gitops.promotionScript} --rollback ${service} ${target}\` verifies the signature of the digest it ran before and commits it (or: ${cli})`;
  const whose = others.length === 0 ? '' : ` for the service that misbehaves (SERVICE: one of ${d.services.map((s) => s.name).join(', ')}; IMAGE: its image)`;
  return `Restore the previously promoted digest of ${which}${whose} in \`${d.gitops.promotionFile(service, target)}\` of the config repository ${d.configRepo.url}: ${how}; ${applied}. The previous signed digest runs again, nothing is rebuilt.`;
}

const TARGET_WORD: Readonly<Record<DeliverySystem['targetKind'], string>> = { rings: 'RING', regions: 'REGION', environments: 'ENVIRONMENT', stages: 'ENVIRONMENT' };

/**
 * The rollback a runbook of this plan names, for any target: the instruction, and the canary
 * traffic stop when the plan may run an Argo Rollout (Kubernetes with the progressive-delivery mode).
 */
export function planRollback(ctx: ModeContext): { rollback: string; trafficStop?: string } {
  const d = ctx.delivery;
  const rollback = rollbackInstruction(d, TARGET_WORD[d.targetKind]);
  // The Rollout references the GitOps mode's Deployment when both modes are in the plan (as the progressive-delivery mode decides).
  const workloadRef = d.gitops.kustomize && ctx.companions?.includes('gitops') === true;
  return runsKubernetes(ctx) && ctx.companions?.includes('progressive-delivery') === true ? { rollback, trafficStop: rolloutAbortCommand(d, workloadRef) } : { rollback };
}
