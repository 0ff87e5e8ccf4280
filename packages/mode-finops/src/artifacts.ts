import { inDoubtReason, notGenerated, runsKubernetes, vendorInDoubt, type ArtifactOutcome, type ArtifactSpec, type Cloud, type Decided, type ModeContext } from '@ringmaster/core';

const COST_CENTER = { key: 'CostCenter', value: 'CRM' } as const;

function tagOf(decided: Decided): { key: string; value: string } {
  const [key, value] = (decided.get<string>('finops_controls.tagging_policy') ?? `${COST_CENTER.key}=${COST_CENTER.value}`).split('=');
  return { key: key ?? COST_CENTER.key, value: value ?? COST_CENTER.value };
}

/** The cloud files may be written for: none of the given one's when the profile contradicts itself about it. */
const cloudOf = (ctx: ModeContext): Cloud => (vendorInDoubt(ctx, 'cloud') ? 'unknown' : ctx.profile.infra.cloud_provider);

const enforced = (decided: Decided): boolean => decided.get('finops_controls.budgets') === 'enforce_hard_limit';

/** Budget with alerts at 80% and 100%: the cloud's own budget service, or an OpenCost rule when the cloud is unknown. */
export function budgetAlert(ctx: ModeContext, decided: Decided): ArtifactSpec {
  const tag = tagOf(decided);
  const base = { name: 'budget_alert.yaml', path: 'finops/budget_alert.yaml', type: 'policy' as const, kb: ['KB_19#Budgets', 'KB_19#Cost_Controls'] as const };
  const action = enforced(decided) ? 'Past 100% the subscriber blocks non-critical pipelines.' : 'Past 100% the budget owner is notified.';
  /** One budget document; every header ends with what happens past 100% and the KB trace. */
  const budget = (header: string, document: unknown): ArtifactSpec => ({
    ...base,
    kb: [...base.kb],
    body: { format: 'yaml', schema: 'plain', header: `${header}\n${action}\nKB_19#Budgets`, documents: [document] },
  });
  switch (cloudOf(ctx)) {
    case 'aws':
      return budget(`AWS Budgets (CloudFormation): monthly CI budget on ${tag.key}=${tag.value}, alerts at 80% actual and 100% actual/forecast.`, {
        AWSTemplateFormatVersion: '2010-09-09',
        Description: 'Monthly CI budget with 80% and 100% alerts',
        Parameters: {
          MonthlyBudgetUsd: { Type: 'Number', Description: 'Monthly CI budget in USD' },
          AlertTopicArn: { Type: 'String', Description: 'SNS topic that receives budget alerts (ChatOps and the pipeline gate subscribe to it)' },
        },
        Resources: {
          CiBudget: {
            Type: 'AWS::Budgets::Budget',
            Properties: {
              Budget: {
                BudgetName: 'crm-ci-monthly',
                BudgetType: 'COST',
                TimeUnit: 'MONTHLY',
                BudgetLimit: { Amount: { Ref: 'MonthlyBudgetUsd' }, Unit: 'USD' },
                CostFilters: { TagKeyValue: [`user:${tag.key}$${tag.value}`] },
              },
              NotificationsWithSubscribers: [
                { Notification: { NotificationType: 'ACTUAL', ComparisonOperator: 'GREATER_THAN', Threshold: 80, ThresholdType: 'PERCENTAGE' }, Subscribers: [{ SubscriptionType: 'SNS', Address: { Ref: 'AlertTopicArn' } }] },
                { Notification: { NotificationType: 'ACTUAL', ComparisonOperator: 'GREATER_THAN', Threshold: 100, ThresholdType: 'PERCENTAGE' }, Subscribers: [{ SubscriptionType: 'SNS', Address: { Ref: 'AlertTopicArn' } }] },
                { Notification: { NotificationType: 'FORECASTED', ComparisonOperator: 'GREATER_THAN', Threshold: 100, ThresholdType: 'PERCENTAGE' }, Subscribers: [{ SubscriptionType: 'SNS', Address: { Ref: 'AlertTopicArn' } }] },
              ],
            },
          },
        },
      });
    case 'gcp':
      return budget(`Cloud Billing budget (Config Connector): monthly CI budget on label ${tag.key.toLowerCase()}=${tag.value.toLowerCase()}, alerts at 80% and 100%.`, {
        apiVersion: 'billingbudgets.cnrm.cloud.google.com/v1beta1',
        kind: 'BillingBudgetsBudget',
        metadata: { name: 'crm-ci-monthly' },
        spec: {
          billingAccountRef: { external: 'billingAccounts/BILLING_ACCOUNT_ID' },
          displayName: 'CRM CI monthly budget',
          budgetFilter: { labels: { [tag.key.toLowerCase()]: { values: [tag.value.toLowerCase()] } }, calendarPeriod: 'MONTH' },
          amount: { specifiedAmount: { currencyCode: 'USD', units: 5000 } },
          thresholdRules: [{ thresholdPercent: 0.8, spendBasis: 'CURRENT_SPEND' }, { thresholdPercent: 1.0, spendBasis: 'CURRENT_SPEND' }, { thresholdPercent: 1.0, spendBasis: 'FORECASTED_SPEND' }],
          allUpdatesRule: { pubsubTopicRef: { name: 'ci-budget-alerts' }, schemaVersion: '1.0' },
        },
      });
    default: {
      const portable = cloudOf(ctx) === 'azure' ? 'Azure: the Cost Management budget (az consumption budget create) carries the invoice view; this rule gives the per-namespace CI view.' : 'Cloud unknown: portable OpenCost metrics, no cloud billing API needed.';
      return budget(`Prometheus rules on OpenCost metrics: projected monthly cost of CI and preview namespaces, alerts at 80% and 100% of the budget.\n${portable}`, {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'PrometheusRule',
        metadata: { name: 'ci-budget', labels: { [tag.key.toLowerCase()]: tag.value.toLowerCase() } },
        spec: {
          groups: [
            {
              name: 'ci-budget',
              rules: [
                { record: 'ci:monthly_budget_usd', expr: 'vector(5000)', labels: { note: 'set to the monthly CI budget' } },
                {
                  record: 'ci:projected_monthly_cost_usd',
                  expr: [
                    'sum(',
                    '  sum by (node) (container_cpu_allocation{namespace=~"ci-runners|preview-.*"}) * on (node) group_left () max by (node) (node_cpu_hourly_cost)',
                    '  + sum by (node) (container_memory_allocation_bytes{namespace=~"ci-runners|preview-.*"}) / 1073741824 * on (node) group_left () max by (node) (node_ram_hourly_cost)',
                    ') * 730',
                  ].join('\n'),
                },
                {
                  alert: 'CIBudget80Percent',
                  expr: 'ci:projected_monthly_cost_usd > 0.80 * scalar(ci:monthly_budget_usd)',
                  for: '1h',
                  labels: { severity: 'warning', channel: 'slack' },
                  annotations: { summary: 'CI spend is projected above 80% of the monthly budget', runbook: 'Review preview TTLs and spot usage; find the top namespaces in OpenCost.' },
                },
                {
                  alert: 'CIBudgetExceeded',
                  expr: 'ci:projected_monthly_cost_usd > scalar(ci:monthly_budget_usd)',
                  for: '1h',
                  labels: { severity: 'critical', action: enforced(decided) ? 'block_non_critical_pipelines' : 'escalate_to_budget_owner' },
                  annotations: { summary: 'CI spend is projected above 100% of the monthly budget' },
                },
              ],
            },
          ],
        },
      });
    }
  }
}

/** Where each cloud's spot nodes are labelled and tainted. */
const SPOT_NODES = {
  aws: { label: ['karpenter.sh/capacity-type', 'spot'], taint: { key: 'ci-spot', value: 'true' } },
  gcp: { label: ['cloud.google.com/gke-spot', 'true'], taint: { key: 'cloud.google.com/gke-spot', value: 'true' } },
  azure: { label: ['kubernetes.azure.com/scalesetpriority', 'spot'], taint: { key: 'kubernetes.azure.com/scalesetpriority', value: 'spot' } },
  portable: { label: ['lifecycle', 'spot'], taint: { key: 'lifecycle', value: 'spot' } },
} as const;

/** Schedules CI runner pods on spot nodes (opt-out for stateful jobs), with the node pool where Kubernetes can declare it. */
export function spotConfig(ctx: ModeContext): ArtifactSpec {
  const cloud = cloudOf(ctx);
  const nodes = cloud === 'aws' || cloud === 'gcp' || cloud === 'azure' ? SPOT_NODES[cloud] : SPOT_NODES.portable;
  // Kyverno's CEL MutatingPolicy (policies.kyverno.io/v1; ClusterPolicy is deprecated since 1.17, KB_06#Policy_As_Code).
  const policy = {
    apiVersion: 'policies.kyverno.io/v1',
    kind: 'MutatingPolicy',
    metadata: { name: 'ci-runners-on-spot', annotations: { 'policies.kyverno.io/description': 'Stateless CI runner pods go to spot capacity; label a pod ci.ringmaster.dev/spot=false to keep it on on-demand nodes.' } },
    spec: {
      matchConstraints: {
        resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }],
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ci-runners' } },
        objectSelector: { matchExpressions: [{ key: 'ci.ringmaster.dev/spot', operator: 'NotIn', values: ['false'] }] },
      },
      mutations: [
        {
          patchType: 'ApplyConfiguration',
          applyConfiguration: {
            expression: [
              'Object{',
              '  spec: Object.spec{',
              `    nodeSelector: {${JSON.stringify(nodes.label[0])}: ${JSON.stringify(nodes.label[1])}},`,
              `    tolerations: [Object.spec.tolerations{key: ${JSON.stringify(nodes.taint.key)}, operator: "Equal", value: ${JSON.stringify(nodes.taint.value)}, effect: "NoSchedule"}]`,
              '  }',
              '}',
            ].join('\n'),
          },
        },
      ],
    },
  };
  const documents: unknown[] = [policy];
  if (cloud === 'aws') {
    documents.unshift({
      apiVersion: 'karpenter.sh/v1',
      kind: 'NodePool',
      metadata: { name: 'ci-spot' },
      spec: {
        template: {
          metadata: { labels: { workload: 'ci' } },
          spec: {
            nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' },
            requirements: [
              { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] },
              { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64', 'arm64'] },
            ],
            taints: [{ key: 'ci-spot', value: 'true', effect: 'NoSchedule' }],
            expireAfter: '24h',
          },
        },
        disruption: { consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '5m' },
        limits: { cpu: '256' },
      },
    });
  }
  const where =
    cloud === 'aws'
      ? 'AWS: a Karpenter NodePool of spot capacity (tainted ci-spot) and the policy that sends runner pods there.'
      : cloud === 'gcp'
        ? 'GKE: runner pods select Spot VMs (cloud.google.com/gke-spot).'
        : cloud === 'azure'
          ? 'AKS: runner pods select the spot node pool (kubernetes.azure.com/scalesetpriority=spot).'
          : 'Cloud unknown: label and taint your spot nodes lifecycle=spot (NoSchedule); the policy sends runner pods there.';
  return {
    name: 'spot_config.yaml',
    path: 'finops/spot_config.yaml',
    type: 'policy',
    kb: ['KB_19#Spot_Instances'],
    body: { format: 'yaml', schema: 'kubernetes', header: `Spot capacity for stateless CI jobs (retried on interruption); release and stateful jobs opt out.\n${where}\nKB_19#Spot_Instances`, documents },
  };
}

/** Deletes preview namespaces older than the TTL; the age is computed, since field selectors cannot compare timestamps. */
export function ttlEnforcer(decided: Decided): ArtifactSpec {
  const ttl = decided.get<string>('finops_controls.ttl_policies') ?? '4h_preview';
  const hours = /^(\d+)h/.exec(ttl)?.[1] ?? '4';
  const script = `# kubectl cannot filter on age (--field-selector does not compare timestamps), so jq computes it.
now="$(date -u +%s)"
dry_run="\${DRY_RUN:-false}"

expired="$(kubectl get namespaces -l "\${PREVIEW_SELECTOR}" -o json \\
  | jq -r --argjson now "\${now}" --argjson ttl "\${TTL_SECONDS}" \\
      '.items[] | select(.status.phase != "Terminating")
        | select(($now - (.metadata.creationTimestamp | fromdateiso8601)) > $ttl) | .metadata.name')"

if [ -z "\${expired}" ]; then
  echo "no preview namespace older than \${TTL_HOURS}h"
  exit 0
fi

while IFS= read -r ns; do
  if [ "\${dry_run}" = "true" ]; then
    echo "would delete preview namespace \${ns} (older than \${TTL_HOURS}h)"
  else
    echo "deleting preview namespace \${ns} (older than \${TTL_HOURS}h)"
    kubectl delete namespace "\${ns}" --wait=false
  fi
done <<<"\${expired}"`;
  return {
    name: 'ttl_enforcer.sh',
    path: 'scripts/ttl_enforcer.sh',
    type: 'template',
    kb: ['KB_19#TTL_Policies', 'KB_12#Ephemeral_Environments'],
    body: {
      format: 'shell',
      summary: `TTL for preview environments: delete namespaces labelled type=preview older than ${hours} hours. Run it from a CronJob or a scheduled pipeline; DRY_RUN=true lists only.`,
      vars: { PREVIEW_SELECTOR: 'type=preview', TTL_HOURS: hours, TTL_SECONDS: String(Number(hours) * 3600) },
      script,
    },
  };
}

export function taggingPolicy(ctx: ModeContext, decided: Decided): ArtifactSpec {
  const tag = tagOf(decided);
  const base = { name: 'tagging_policy.json', path: 'finops/tagging_policy.json', type: 'policy' as const, kb: ['KB_19#Tagging'] as const };
  /** The policy document, a JSON value in each cloud's own format. */
  const policy = (value: unknown): ArtifactSpec => ({ ...base, kb: [...base.kb], body: { format: 'json', schema: 'plain', value } });
  switch (cloudOf(ctx)) {
    case 'aws':
      return policy({
        tags: {
          [tag.key]: { tag_key: { '@@assign': tag.key }, tag_value: { '@@assign': [tag.value] }, enforced_for: { '@@assign': ['ec2:instance', 'ec2:volume'] } },
          Environment: { tag_key: { '@@assign': 'Environment' }, tag_value: { '@@assign': ['ci', 'preview', 'staging', 'production'] } },
        },
      });
    case 'azure':
      return policy({
        properties: {
          displayName: `Require ${tag.key}=${tag.value} on CI resources`,
          policyType: 'Custom',
          mode: 'Indexed',
          description: `Every resource in the CI resource groups carries ${tag.key}=${tag.value}, so budgets can attribute spend.`,
          parameters: {},
          policyRule: { if: { field: `tags['${tag.key}']`, notEquals: tag.value }, then: { effect: enforced(decided) ? 'deny' : 'audit' } },
        },
      });
    default: {
      const cloud = cloudOf(ctx);
      const gcp = cloud === 'gcp';
      return policy({
        description: gcp
          ? 'GCP labels are lower-case: apply these labels to every CI project resource, node pool and preview environment; budgets filter on them.'
          : cloud === 'on_prem'
            ? 'On-prem: apply these keys as labels on CI runner hosts, their inventory records and preview environments; chargeback reports group by them.'
            : 'Cloud unknown: the same keys apply as AWS tags, Azure tags, GCP labels (lower-case) and Kubernetes namespace labels.',
        required: gcp ? { [tag.key.toLowerCase()]: tag.value.toLowerCase() } : { [tag.key]: tag.value },
        allowed_values: { [gcp ? 'environment' : 'Environment']: ['ci', 'preview', 'staging', 'production'] },
        applies_to: ['ci runners and their node pools', 'build caches and artifact buckets', 'preview environments'],
        ...(runsKubernetes(ctx) ? { kubernetes_namespace_labels: { [tag.key.toLowerCase()]: tag.value.toLowerCase() } } : {}),
        enforcement: enforced(decided) ? 'block untagged CI resources at creation (policy as code in the IaC pipeline)' : 'report untagged CI resources weekly',
      });
    }
  }
}

/** Where each non-Kubernetes orchestrator gets spot capacity and preview clean-up instead, for the not-generated notes. */
const WITHOUT_KUBERNETES: Readonly<Record<string, { spot: string; previews: string }>> = {
  ecs: { spot: 'on ECS, run stateless CI tasks on a FARGATE_SPOT (or EC2 Spot) capacity provider', previews: 'delete preview ECS services by their type=preview tag from a scheduled job' },
  nomad: { spot: 'on Nomad, constrain stateless CI jobs to a spot node pool', previews: 'stop preview Nomad jobs older than the TTL from a periodic job' },
  vm: { spot: 'on VMs, run stateless CI runners in a spot/preemptible instance group or scale set', previews: 'delete preview VMs by their type=preview tag and creation time from a scheduled job' },
  serverless: { spot: 'serverless platforms bill per request and have no spot capacity to choose', previews: 'delete preview function versions or revisions older than the TTL from a scheduled job' },
};

/** Why a Kubernetes-only FinOps file does not fit: the orchestrator is another one, or in doubt. */
function withoutKubernetes(ctx: ModeContext, artifact: 'spot_config.yaml' | 'ttl_enforcer.sh' | 'budget_alert.yaml'): string {
  const doubt = vendorInDoubt(ctx, 'orchestrator');
  if (doubt) return inDoubtReason(doubt);
  const orchestrator = ctx.profile.infra.orchestrator;
  const alt = WITHOUT_KUBERNETES[orchestrator];
  const lead = `the file is Kubernetes-only (${artifact === 'spot_config.yaml' ? 'a Kyverno policy and node selectors' : artifact === 'ttl_enforcer.sh' ? 'kubectl on preview namespaces' : 'a Kubernetes custom resource'}) and the orchestrator is ${orchestrator}`;
  if (artifact === 'budget_alert.yaml') return `${lead}; ${BUDGET_WITHOUT_KUBERNETES[cloudOf(ctx)]}`;
  return alt ? `${lead}; instead ${artifact === 'spot_config.yaml' ? alt.spot : alt.previews}` : lead;
}

/** The cloud's own budget command, for a cloud whose budget file here would need Kubernetes. */
const BUDGET_WITHOUT_KUBERNETES: Readonly<Record<Cloud, string>> = {
  aws: 'AWS Budgets needs no cluster',
  gcp: 'create the budget with gcloud billing budgets create (80% and 100% threshold rules)',
  azure: 'create the budget with az consumption budget create (80% and 100% notifications)',
  on_prem: 'there is no cloud billing API on-prem: track CI cost by the tagging policy in chargeback reports',
  unknown: 'use your cloud\'s budget service with alerts at 80% and 100%',
};

/** The FinOps files; those that need Kubernetes are reported as not generated on other orchestrators. */
export function finopsArtifacts(ctx: ModeContext, decided: Decided): ArtifactOutcome[] {
  const kubernetes = runsKubernetes(ctx);
  // Only AWS's budget (CloudFormation) stands without a cluster; the others are Kubernetes resources.
  const budgetNeedsKubernetes = cloudOf(ctx) !== 'aws';
  return [
    budgetNeedsKubernetes && !kubernetes ? notGenerated('budget_alert.yaml', withoutKubernetes(ctx, 'budget_alert.yaml')) : budgetAlert(ctx, decided),
    kubernetes ? spotConfig(ctx) : notGenerated('spot_config.yaml', withoutKubernetes(ctx, 'spot_config.yaml')),
    kubernetes ? ttlEnforcer(decided) : notGenerated('ttl_enforcer.sh', withoutKubernetes(ctx, 'ttl_enforcer.sh')),
    taggingPolicy(ctx, decided),
  ];
}
