import { inDoubtReason, notGenerated, planRollback, runsKubernetes, vendorInDoubt, type ArtifactOutcome, type ArtifactSpec, type Cloud, type Decided, type MarkdownDoc, type ModeContext } from '@ringmaster/core';
import { incidentChecklist } from './checklists.js';

type KnownCloud = 'aws' | 'gcp' | 'azure' | 'on_prem';

/** Where each cloud grants time-boxed elevated access. */
const JIT_ACCESS: Readonly<Record<KnownCloud, string>> = {
  aws: 'AWS IAM Identity Center temporary elevated access (for example AWS TEAM), assuming a dedicated break-glass role',
  gcp: 'a Google Cloud Privileged Access Manager (PAM) entitlement with an approval workflow',
  azure: 'Microsoft Entra Privileged Identity Management (PIM) eligible role activation with approval',
  on_prem: 'your access broker (for example Teleport access requests or HashiCorp Boundary) granting a time-boxed break-glass group',
};

/** Where each cloud records who used the elevated access. */
const AUDIT_TRAIL: Readonly<Record<KnownCloud, string>> = {
  aws: 'AWS CloudTrail (AssumeRole of the break-glass role, then every call made by that session)',
  gcp: 'Cloud Audit Logs (PAM grants and the admin activity under them)',
  azure: 'the Azure Activity Log and the Entra audit log (role activations and the operations that followed)',
  on_prem: 'the Kubernetes API server audit log and the access broker session recordings',
};

const ON_PREM_HOSTS_AUDIT_TRAIL = 'the hosts\' systemd journal (sudo sessions) and the access broker session recordings';

const clouds = (cloud: Cloud): KnownCloud[] => (cloud === 'unknown' ? ['aws', 'gcp', 'azure', 'on_prem'] : [cloud]);

/** The cloud the documents speak of: every option while the profile contradicts itself about it. */
const cloudOf = (ctx: ModeContext): Cloud => (vendorInDoubt(ctx, 'cloud') ? 'unknown' : ctx.profile.infra.cloud_provider);

function timeBox(decided: Decided): string {
  const value = decided.get<string>('incident_response.break_glass') ?? '';
  return /max_1h/.test(value) ? '1 hour' : '4 hours';
}

export function breakGlassProcedure(ctx: ModeContext, decided: Decided): ArtifactSpec {
  const cloud = cloudOf(ctx);
  const box = timeBox(decided);
  const cab = ctx.profile.release_policy.change_approval_level === 'cab';
  const doc: MarkdownDoc = {
    title: 'Break-Glass Procedure: Emergency Fixes',
    intro:
      'Correction of the usual skeleton ("obtain approval, log in to the admin console, apply the patch"): a console change is ClickOps. It is untraceable, bypasses the tests and signing, and drifts from Git. Here the emergency path is a time-boxed elevated role granted just in time with two-person approval, the patch ships through the pipeline\'s expedited path, and every session is recorded. [KBTRACE: KB_11#Break_Glass]',
    sections: [
      {
        heading: 'When to Use It',
        bullets: [
          'A sev1 or sev2 incident needs a code or configuration fix that cannot wait for the normal release train.',
          'A policy gate blocks a fix by mistake (a policy false positive) and the owner of the policy cannot fix the rule in time.',
          'Never for convenience, for a planned change, or to skip a review that would have passed.',
        ],
      },
      {
        heading: 'Approval',
        paragraphs: [`Two people, always: the requester never approves their own elevation (segregation of duties). [KBTRACE: KB_10#Segregation_Of_Duties]`],
        steps: [
          'Declare or link the incident; the break-glass request carries the incident id and the reason.',
          `Request the break-glass role through ${clouds(cloud).map((c) => JIT_ACCESS[c]).join('; or ')}.`,
          'A second person approves: the incident commander or the on-call approver, never the requester. For a sev1 the engineering manager (or VP on call) is notified at the same time.',
          `The role is granted for at most ${box} and expires on its own; nobody holds standing production admin rights.`,
          ...(cab ? ['The change is registered as an emergency change and reviewed by the next CAB (retroactive approval).'] : []),
        ],
      },
      {
        heading: 'Apply the Fix Through the Pipeline',
        steps: [
          'Branch the hotfix from the tag of the release running in production and open a pull request.',
          'Run the expedited path: build once, unit tests, critical-severity vulnerability scan, SBOM and signing. Only slow suites (full end-to-end, soak) may be deferred, and they are listed in the pull request.',
          `Promote the signed digest by a commit to the GitOps repository (or the pipeline's promote job); the controller deploys it. ${runsKubernetes(ctx) ? 'No `kubectl` against production from a laptop, no console edits.' : 'No hand-run deploy against production from a laptop, no console edits.'}`,
          'Verify health on the error rate and latency, then merge the hotfix back to trunk.',
        ],
      },
      {
        heading: 'Recording and Expiry',
        bullets: [
          `Every session under the role is recorded in ${clouds(cloud).map((c) => (c === 'on_prem' && !runsKubernetes(ctx) ? ON_PREM_HOSTS_AUDIT_TRAIL : AUDIT_TRAIL[c])).join('; ')}.`,
          'The grant expires automatically; the approver revokes it early once the fix is deployed.',
          'Run `scripts/audit_break_glass.sh` after every use and weekly; its report goes into the evidence bundle.',
        ],
      },
      {
        heading: 'After the Emergency',
        checklist: [
          'Within 1 business day: run the deferred suites on the hotfix commit and record their results.',
          'Attach the audit report, the approval record and the incident timeline to the change record.',
          'Hold the blameless post-mortem (see post_mortem_template.md) and track its action items.',
          'If a policy false positive caused the break-glass, fix the policy with a test for the case.',
        ],
      },
    ],
  };
  return { name: 'break_glass_procedure.md', path: 'docs/runbooks/break_glass_procedure.md', type: 'runbook', kb: ['KB_11#Break_Glass', 'KB_14#Incident_Response', 'KB_10#Segregation_Of_Duties'], body: { format: 'markdown', doc } };
}

/** Shell functions, one per provider, that list break-glass usage into "${report}". */
const AUDIT_FUNCTIONS: Readonly<Record<KnownCloud, string>> = {
  aws: `audit_aws() {
  # AssumeRole events of the break-glass role, from CloudTrail (the CLI pages through all results).
  aws cloudtrail lookup-events \\
    --lookup-attributes AttributeKey=EventName,AttributeValue=AssumeRole \\
    --start-time "\${since}" --output json \\
    | jq --arg role "\${BREAK_GLASS_ROLE}" '[.Events[] | .CloudTrailEvent | fromjson
        | select((.requestParameters.roleArn // "") | endswith("role/" + $role))
        | {time: .eventTime, principal: .userIdentity.arn, role: .requestParameters.roleArn,
           session: .requestParameters.roleSessionName, source_ip: .sourceIPAddress}]' >"\${report}"
}`,
  gcp: `audit_gcp() {
  # Privileged Access Manager grants on the break-glass entitlement, from Cloud Audit Logs.
  local filter
  filter="protoPayload.serviceName=\\"privilegedaccessmanager.googleapis.com\\" AND protoPayload.resourceName:\\"\${BREAK_GLASS_ROLE}\\""
  gcloud logging read "\${filter}" --freshness="\${LOOKBACK_HOURS}h" --format=json \\
    | jq '[.[] | {time: .timestamp, principal: .protoPayload.authenticationInfo.principalEmail,
           method: .protoPayload.methodName, resource: .protoPayload.resourceName}]' >"\${report}"
}`,
  azure: `audit_azure() {
  # Role assignment and PIM activation operations, from the Azure Activity Log.
  az monitor activity-log list --offset "\${LOOKBACK_HOURS}h" --max-events 5000 \\
    --query "[?starts_with(operationName.value, 'Microsoft.Authorization/roleAssignment')].{time: eventTimestamp, principal: caller, operation: operationName.value, status: status.value, scope: resourceId}" \\
    --output json >"\${report}"
}`,
  on_prem: `audit_on_prem() {
  # Requests made by members of the break-glass group, from the Kubernetes API server audit log (JSON lines).
  jq -s --arg group "\${BREAK_GLASS_ROLE}" --arg since "\${since}" '[.[] | select(.requestReceivedTimestamp >= $since)
      | select((.user.groups // []) | index($group))
      | {time: .requestReceivedTimestamp, principal: .user.username, verb: .verb,
         resource: .objectRef.resource, namespace: .objectRef.namespace}]' "\${K8S_AUDIT_LOG}" >"\${report}"
}`,
};

/** On-prem without Kubernetes: sudo sessions of the break-glass group's members, from the host's journal. */
const AUDIT_ON_PREM_HOSTS = `audit_on_prem() {
  # sudo sessions of members of the break-glass group, from the systemd journal (run on the log collector or each host).
  local members
  members="$(getent group "\${BREAK_GLASS_ROLE}" | cut -d: -f4)"
  journalctl _COMM=sudo --since "\${since}" --output json \\
    | jq -s --arg members "\${members}" '($members | split(",")) as $m
        | [.[] | . as $e | ($e.MESSAGE | strings | capture("^ *(?<user>[^ ]+) : ")) as $c
        | select(any($m[]; . == $c.user))
        | {time: ($e.__REALTIME_TIMESTAMP | tonumber / 1000000 | todate), principal: $c.user, host: $e._HOSTNAME, command: $e.MESSAGE}]' >"\${report}"
}`;

export function auditBreakGlass(ctx: ModeContext): ArtifactSpec {
  const cloud = ctx.profile.infra.cloud_provider;
  const providers = clouds(cloud);
  const kubernetes = runsKubernetes(ctx);
  const auditFunction = (p: KnownCloud): string => (p === 'on_prem' && !kubernetes ? AUDIT_ON_PREM_HOSTS : AUDIT_FUNCTIONS[p]);
  const vars: Record<string, string> = { LOOKBACK_HOURS: '168' };
  // Azure's activity log query filters on the operation, not on a role name.
  if (providers.some((p) => p !== 'azure')) vars.BREAK_GLASS_ROLE = 'break-glass';
  if (providers.includes('on_prem') && kubernetes) vars.K8S_AUDIT_LOG = '/var/log/kubernetes/audit/audit.log';
  let dispatch: string;
  if (cloud === 'unknown') {
    vars.CLOUD_DEFAULT = 'unknown';
    dispatch = `cloud="\${CLOUD_PROVIDER:-\${CLOUD_DEFAULT}}"
case "\${cloud}" in
  aws) audit_aws ;;
  gcp) audit_gcp ;;
  azure) audit_azure ;;
  on_prem) audit_on_prem ;;
  *)
    echo "set CLOUD_PROVIDER to aws, gcp, azure or on_prem (the profile did not name the cloud)" >&2
    exit 2
    ;;
esac`;
  } else {
    dispatch = `audit_${cloud}`;
  }
  const script = `# Lists every use of the break-glass role in the last LOOKBACK_HOURS hours, as JSON for the evidence bundle.
# Each entry must match an incident with a two-person approval; anything else is an alert.
since="$(date -u -d "-\${LOOKBACK_HOURS} hours" +%Y-%m-%dT%H:%M:%SZ)"
report="break_glass_audit_$(date -u +%Y%m%dT%H%M%SZ).json"

${providers.map(auditFunction).join('\n\n')}

${dispatch}

count="$(jq 'length' "\${report}")"
echo "break-glass uses since \${since}: \${count} (report: \${report})"
if [ "\${count}" -gt 0 ]; then
  echo "match each entry to an incident id and its approval record before closing the review" >&2
fi`;
  return {
    name: 'audit_break_glass.sh',
    path: 'scripts/audit_break_glass.sh',
    type: 'template',
    kb: ['KB_11#Break_Glass', 'KB_10#Audit'],
    body: { format: 'shell', summary: 'Audit break-glass usage: who assumed the emergency role, when, and from where. Read-only.', vars, script },
  };
}

export function postMortemTemplate(): ArtifactSpec {
  const doc: MarkdownDoc = {
    title: 'Post-Mortem: INC-NNNN (short title)',
    intro: 'Blameless: we describe what the system and the process allowed, not who to blame. Hold the review within 5 business days. [KBTRACE: KB_14#Post_Mortem]',
    sections: [
      {
        heading: 'Summary',
        table: {
          header: ['Field', 'Value'],
          rows: [
            ['Severity', 'sev1 / sev2 / sev3'],
            ['Services and tenants affected', '(cohorts or counts, no tenant names)'],
            ['Customer impact', '(what customers saw, for how long)'],
            ['Detection time (UTC)', ''],
            ['Acknowledged (UTC)', ''],
            ['Mitigated (UTC)', ''],
            ['Resolved (UTC)', ''],
            ['MTTA (detection to acknowledgement)', ''],
            ['MTTR (detection to mitigation)', ''],
            ['Release or change involved', '(digest, commit, flag)'],
          ],
        },
      },
      {
        heading: 'Timeline',
        paragraphs: ['From the first signal to resolution, in UTC; the incident channel thread is the source.'],
        table: { header: ['Time (UTC)', 'Event', 'Source'], rows: [['', 'Alert fired', 'monitoring'], ['', 'Incident declared', 'on-call'], ['', 'Rollback or flag toggle', 'pipeline / flag service'], ['', 'Error rate back under threshold', 'dashboard']] },
      },
      {
        heading: 'Root Cause',
        paragraphs: ['The technical cause and the conditions that let it reach production (ask "why" until the answer is a process or a system property).'],
        bullets: ['Trigger:', 'Root cause:', 'Contributing factors:', 'Why detection took as long as it did:'],
      },
      { heading: 'What Went Well', paragraphs: ['(what helped detection, mitigation or communication)'] },
      { heading: 'What Went Poorly', paragraphs: ['(where we were slow, blind or lucky)'] },
      {
        heading: 'Action Items',
        paragraphs: ['Each item has one owner, a due date and a ticket; prevention first, then detection, then mitigation.'],
        table: { header: ['Action', 'Type (prevent / detect / mitigate)', 'Owner', 'Due', 'Ticket'], rows: [['', '', '', '', '']] },
      },
    ],
  };
  return { name: 'post_mortem_template.md', path: 'docs/templates/post_mortem_template.md', type: 'template', kb: ['KB_14#Post_Mortem'], body: { format: 'markdown', doc } };
}

export function incidentChecklistArtifact(ctx: ModeContext): ArtifactSpec {
  const severity = ctx.profile.risk_tier === 'low' ? 'sev2' : 'sev1';
  return {
    name: 'incident_checklist.md',
    path: 'docs/runbooks/incident_checklist.md',
    type: 'checklist',
    kb: ['KB_14#Incident_Response'],
    body: { format: 'checklist', checklist: incidentChecklist({ service: 'the CRM platform', severity, ...planRollback(ctx) }) },
  };
}

export function incidentArtifacts(ctx: ModeContext, decided: Decided): ArtifactOutcome[] {
  const doubt = vendorInDoubt(ctx, 'cloud');
  return [incidentChecklistArtifact(ctx), breakGlassProcedure(ctx, decided), doubt ? notGenerated('audit_break_glass.sh', inDoubtReason(doubt)) : auditBreakGlass(ctx), postMortemTemplate()];
}
