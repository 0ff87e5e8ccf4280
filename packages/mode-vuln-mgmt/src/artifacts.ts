import type { ArtifactSpec, Decided, DeliverySystem, ModeContext, ServiceModel } from '@ringmaster/core';
import { DEFAULT_SLAS, EPSS_THRESHOLD, EXCEPTION_FIELDS, type Slas } from './rules.js';

export const KEV_FEED = 'https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json';
export const EPSS_API = 'https://api.first.org/data/v1/epss';

/** The example product the templates name; replace with your own. */
const PRODUCT = 'crm-platform';

function thresholdOf(decided: Decided): number {
  return decided.get<number>('vuln_mgmt_policy.kev_epss_threshold') ?? EPSS_THRESHOLD;
}
function slasOf(decided: Decided): Slas {
  return decided.get<Slas>('vuln_mgmt_policy.slas') ?? DEFAULT_SLAS;
}

/** Mode 4 steps 1-5 and 7: scan, keep critical + exploitable (KEV or EPSS), fail on those, warn on high, upload. */
export function trivyGate(decided: Decided): ArtifactSpec {
  const slas = slasOf(decided);
  const script = `
IMAGE_REF="\${1:?usage: trivy_gate.sh <image>@sha256:<digest>}"
report="trivy-report.json"
vex_args=()
if [ -f "\${VEX_FILE}" ]; then vex_args=(--vex "\${VEX_FILE}"); fi

# Steps 1-2: scan the image's OS packages and application lockfiles once, as JSON.
trivy image --scanners vuln --format json --output "\${report}" "\${vex_args[@]}" "\${IMAGE_REF}"

# Step 3 gate: any CRITICAL finding at all? (--exit-code 1 when there is one)
critical_status=0
trivy image --scanners vuln --severity CRITICAL --exit-code 1 --skip-db-update --quiet "\${vex_args[@]}" "\${IMAGE_REF}" > /dev/null || critical_status=$?

blocking=()
unscored=()
if [ "\${critical_status}" -ne 0 ]; then
  # Keep only criticals that are exploited (CISA KEV) or likely to be (EPSS >= threshold).
  curl -fsSL --retry 3 "\${KEV_FEED}" -o kev.json
  while IFS= read -r vuln_id; do
    case "\${vuln_id}" in
      CVE-*) ;;
      *) unscored+=("\${vuln_id}"); continue ;;
    esac
    if jq -e --arg id "\${vuln_id}" 'any(.vulnerabilities[]; .cveID == $id)' kev.json > /dev/null; then
      blocking+=("\${vuln_id} (CISA KEV)")
      continue
    fi
    epss="$(curl -fsSL --retry 3 "\${EPSS_API}?cve=\${vuln_id}" | jq -r '.data[0].epss // "0"')"
    if awk -v score="\${epss}" -v limit="\${EPSS_THRESHOLD}" 'BEGIN { exit !(score + 0 >= limit + 0) }'; then
      blocking+=("\${vuln_id} (EPSS \${epss})")
    fi
  done < <(jq -r '[.Results[]?.Vulnerabilities[]? | select(.Severity == "CRITICAL") | .VulnerabilityID] | unique | .[]' "\${report}")
fi

# Step 5: high findings warn with their SLA.
high_count="$(jq '[.Results[]?.Vulnerabilities[]? | select(.Severity == "HIGH") | .VulnerabilityID] | unique | length' "\${report}")"
if [ "\${high_count}" -gt 0 ]; then
  echo "WARN: \${high_count} high vulnerabilities: fix within \${HIGH_SLA_DAYS} days"
fi
for vuln_id in "\${unscored[@]}"; do
  echo "WARN: critical \${vuln_id} has no CVE id to check against KEV/EPSS: triage it by hand"
done

# Step 7: upload the report to DefectDojo when configured (token from the secret store).
if [ -n "\${DEFECTDOJO_URL:-}" ]; then
  dd_token="\${DEFECTDOJO_TOKEN:?DEFECTDOJO_TOKEN must come from the secret store}"
  curl -fsS -X POST "\${DEFECTDOJO_URL}/api/v2/reimport-scan/" \\
    -H "Authorization: Token \${dd_token}" \\
    -F scan_type="Trivy Scan" -F product_name="\${PRODUCT_NAME}" -F engagement_name="ci" \\
    -F auto_create_context=true -F file=@"\${report}" > /dev/null
fi

# Step 4: fail only on critical AND exploitable.
if [ "\${#blocking[@]}" -gt 0 ]; then
  echo "FAIL: critical exploitable vulnerabilities (fix within \${CRITICAL_SLA_DAYS} days or file an exception):" >&2
  printf '  %s\\n' "\${blocking[@]}" >&2
  exit 1
fi
echo "PASS: no critical vulnerability is KEV-listed or above EPSS \${EPSS_THRESHOLD}"
`;
  return {
    name: 'trivy_gate.sh',
    path: 'scripts/trivy_gate.sh',
    type: 'policy',
    kb: ['KB_16#Prioritization', 'KB_16#Scanners', 'KB_16#VEX'],
    body: {
      format: 'shell',
      summary:
        'Vulnerability gate (Mode 4): scan with Trivy, fail only on CRITICAL findings that are in the\nCISA KEV catalog or have EPSS >= the threshold, warn on HIGH, honour OpenVEX statements,\nupload the report to DefectDojo. Usage: trivy_gate.sh <image>@sha256:<digest>  (needs trivy, jq, curl)',
      vars: {
        KEV_FEED,
        EPSS_API,
        EPSS_THRESHOLD: String(thresholdOf(decided)),
        CRITICAL_SLA_DAYS: String(slas.critical_days),
        HIGH_SLA_DAYS: String(slas.high_days),
        VEX_FILE: 'security/vex/openvex.json',
        PRODUCT_NAME: PRODUCT,
      },
      script,
    },
  };
}

export function exceptionPolicy(ctx: ModeContext, decided: Decided): ArtifactSpec {
  const approver = decided.get<string>('vuln_mgmt_policy.exception_process.approver_role') ?? 'CISO';
  const ttl = decided.get<number>('vuln_mgmt_policy.exception_process.ttl_days') ?? 30;
  const fields = decided.get<string[]>('vuln_mgmt_policy.exception_process.required_fields') ?? [...EXCEPTION_FIELDS];
  const log = decided.get<string>('vuln_mgmt_policy.exception_process.audit_log_link') ?? ctx.delivery.riskAcceptanceLog;
  const slas = slasOf(decided);
  const targets = ctx.profile.compliance.targets;
  return {
    name: 'exception_policy.md',
    path: 'docs/security/exception_policy.md',
    type: 'policy',
    kb: ['KB_16#Exceptions', 'KB_16#SLAs'],
    body: {
      format: 'markdown',
      doc: {
        title: 'Vulnerability Exception Policy',
        intro: `When a critical exploitable vulnerability cannot be fixed within its SLA, the release may proceed only under an approved, time-boxed exception.${targets.length > 0 ? ` This policy is part of the ${targets.join(', ')} control evidence.` : ''}`,
        sections: [
          {
            heading: 'Exception Process',
            bullets: [`Approver: ${approver}`, `Max TTL: ${ttl} days`, 'Renewal: a new request with fresh KEV/EPSS data; no automatic extension', `Audit log: ${log}`],
          },
          {
            heading: 'Required Fields',
            table: {
              header: ['Field', 'What it holds'],
              rows: fields.map((f) => [f, FIELD_HELP[f] ?? f]),
            },
          },
          {
            heading: 'Steps',
            steps: [
              'The owning team files the request with every required field, including the compensating controls already in place (WAF rule, feature flag off, network isolation).',
              `Security reviews exploitability (KEV listing, EPSS score, reachability) and the ${approver} approves or rejects; the requester never approves their own exception.`,
              'The approved exception is recorded as a risk acceptance with its expiry, and the pipeline gate reads it by CVE id.',
              'If the component is not affected at all, publish an OpenVEX not_affected statement instead of an exception.',
              'On expiry the gate fails again until the fix ships or a new exception is approved.',
            ],
          },
          {
            heading: 'Remediation SLAs',
            table: {
              header: ['Severity', 'Fix within'],
              rows: [
                ['Critical (KEV or exploitable)', `${slas.critical_days} days`],
                ['High', `${slas.high_days} days`],
                ['Medium', `${slas.medium_days} days`],
                ['Low', `${slas.low_days} days`],
              ],
            },
          },
        ],
      },
    },
  };
}

const FIELD_HELP: Record<string, string> = {
  cve_id: 'The CVE (or GHSA) identifier and the affected image digest',
  justification: 'Why the fix cannot ship within the SLA',
  compensating_controls: 'Controls that reduce exploitability until the fix ships',
  expiry: 'The date the exception lapses (at most the maximum TTL)',
  approver: 'The named approver in the approver role',
  audit_log_link: 'Link to the recorded risk acceptance',
};

/** The package URL of a service's image: what the pipeline builds, signs, scans and the manifests run, in no CI vendor's registry. */
function productPurl(service: ServiceModel): string {
  return `pkg:oci/${service.image.split('/').pop() ?? PRODUCT}?repository_url=${service.image}`;
}

/** Mode 4 step 6: an OpenVEX v0.2.0 document for a false positive; its statement's products are every service's image. */
export function vexTemplate(d: DeliverySystem): ArtifactSpec {
  const several = d.services.length > 1;
  return {
    name: 'vex_template.json',
    path: 'security/vex/openvex.json',
    type: 'template',
    kb: ['KB_16#VEX'],
    body: {
      format: 'json',
      schema: 'openvex',
      value: {
        '@context': 'https://openvex.dev/ns/v0.2.0',
        // Identified under the application repository, authored by its organization: no example domain to replace.
        '@id': `${d.appRepo.url.replace(/\.git$/, '')}/security/vex/vex-0001`,
        author: `${d.organization} security team`,
        role: 'Document Creator',
        timestamp: '2025-01-01T00:00:00Z',
        version: 1,
        statements: [
          {
            vulnerability: { name: 'CVE-2024-3094' },
            products: d.services.map((service) => ({ '@id': productPurl(service) })),
            status: 'not_affected',
            justification: 'component_not_present',
            impact_statement: `${several ? 'None of the images contains' : 'The image does not contain'} the backdoored xz-utils/liblzma 5.6.0 or 5.6.1 releases; replace this example statement with your own, one per false positive${several ? ', listing only the images it holds for' : ''}.`,
          },
        ],
      },
    },
  };
}

/** The gate as policy-as-code (Rego v1), for conftest/OPA over the normalized scan findings. */
export function vulnPolicy(decided: Decided): ArtifactSpec {
  const threshold = thresholdOf(decided);
  const slas = slasOf(decided);
  const rules = `
# Input: {"findings": [{"id": "CVE-...", "severity": "CRITICAL", "kev": true, "epss": 0.42, "vex_status": "not_affected"}]}
# Fail only on critical findings that are exploited (CISA KEV) or likely exploited (EPSS >= threshold).

epss_threshold := ${threshold}

exploitable(f) if object.get(f, "kev", false) == true

exploitable(f) if object.get(f, "epss", 0) >= epss_threshold

suppressed(f) if object.get(f, "vex_status", "") == "not_affected"

deny contains msg if {
	some f in input.findings
	f.severity == "CRITICAL"
	exploitable(f)
	not suppressed(f)
	msg := sprintf("%s is critical and exploitable (KEV or EPSS >= %v): fix within ${slas.critical_days} days or get an approved exception", [f.id, epss_threshold])
}

warn contains msg if {
	some f in input.findings
	f.severity == "HIGH"
	not suppressed(f)
	msg := sprintf("%s is high: fix within ${slas.high_days} days", [f.id])
}
`;
  const tests = `
test_critical_kev_denied if {
	denials := data.vuln.gate.deny with input as {"findings": [{"id": "CVE-2024-0001", "severity": "CRITICAL", "kev": true, "epss": 0.01}]}
	count(denials) == 1
}

test_critical_high_epss_denied if {
	denials := data.vuln.gate.deny with input as {"findings": [{"id": "CVE-2024-0002", "severity": "CRITICAL", "kev": false, "epss": ${threshold}}]}
	count(denials) == 1
}

test_critical_not_exploitable_allowed if {
	denials := data.vuln.gate.deny with input as {"findings": [{"id": "CVE-2024-0003", "severity": "CRITICAL", "kev": false, "epss": 0.001}]}
	count(denials) == 0
}

test_vex_not_affected_allowed if {
	denials := data.vuln.gate.deny with input as {"findings": [{"id": "CVE-2024-0004", "severity": "CRITICAL", "kev": true, "vex_status": "not_affected"}]}
	count(denials) == 0
}

test_high_warns_without_failing if {
	findings := {"findings": [{"id": "CVE-2024-0005", "severity": "HIGH", "kev": true}]}
	denials := data.vuln.gate.deny with input as findings
	warnings := data.vuln.gate.warn with input as findings
	count(denials) == 0
	count(warnings) == 1
}
`;
  return {
    name: 'vuln_policy.rego',
    path: 'policy/vuln_policy.rego',
    type: 'policy',
    kb: ['KB_16#Prioritization', 'KB_06#Policy_As_Code'],
    body: { format: 'rego', package: 'vuln.gate', rules, tests },
  };
}

/** The files Mode 4's decisions call for. */
export function vulnMgmtArtifacts(ctx: ModeContext, decided: Decided): ArtifactSpec[] {
  return [trivyGate(decided), exceptionPolicy(ctx, decided), vexTemplate(ctx.delivery), vulnPolicy(decided)];
}
