import type { ModeContext, Rule } from '@ringmaster/core';
import { cacheFocus, ciTarget, evidenceFocus, kubernetesLike, runnerFocus, signingUnavailable } from './intent.js';

const high = ({ profile }: ModeContext): boolean => profile.risk_tier === 'high';
/** GitLab CI and Azure DevOps have no hosted builder that generates provenance out of the build steps' reach (SLSA Build L3). */
const noL3Builder = ({ profile }: ModeContext): boolean => ciTarget(profile) !== 'github_actions';
const cloud = (c: string) => ({ profile }: ModeContext): boolean => profile.infra.cloud_provider === c;
const targets = (...names: string[]) => ({ profile }: ModeContext): boolean => names.some((n) => profile.compliance.targets.includes(n));
const evidenceAnd = (cond: (ctx: ModeContext) => boolean) => (ctx: ModeContext): boolean => evidenceFocus(ctx) && cond(ctx);

/** Ordered steps from the level reached to SLSA Build L3. */
export function slsaRoadmap(level: 'L1' | 'L2' | 'L3'): string[] {
  const steps = [
    'L1: every artifact ships with provenance (how it was built) and a SHA256SUMS manifest that the deploy step checks with sha256sum -c',
    'L2: builds run only on the hosted CI platform, which signs the provenance; images and SBOMs are signed keyless by digest with cosign through the job OIDC identity',
    'L3: provenance is generated in an isolated, reusable builder on ephemeral runners that user build steps cannot reach, and admission control rejects images whose signature and provenance do not verify',
  ];
  const from = level === 'L1' ? 0 : level === 'L2' ? 1 : 2;
  return steps.slice(from).map((s, i) => (i === 0 ? `current ${s}` : s));
}

/** Evidence bundle items, in the spec's section 3.3 order plus provenance. */
export const EVIDENCE_ARTIFACTS = ['sbom', 'cosign_signature', 'slsa_provenance', 'junit_results', 'policy_audit_log'] as const;

/** Questions an auditor asks, answered from the bundle; change_log comes first, then access_reviews. */
export function auditorQueries({ profile }: ModeContext): string[] {
  const q = ['change_log', 'access_reviews', 'deployment_approvals', 'artifact_verification', 'vulnerability_exceptions'];
  if (profile.compliance.targets.includes('HIPAA')) q.push('phi_access_logs');
  if (profile.compliance.targets.includes('PCI_DSS')) q.push('cardholder_environment_changes');
  if (profile.compliance.targets.includes('GDPR')) q.push('data_residency_records');
  return q;
}

/** Mode 3's decisions (spec section 5, Mode 3; section 10 fallback; golden-03/05/08/13). First matching row per field wins. */
export const supplyChainRules: readonly Rule[] = [
  // --- SLSA level -----------------------------------------------------------
  {
    id: 'supply-chain/slsa-l1-checksum-fallback',
    field: 'security_controls.slsa_level',
    when: signingUnavailable,
    value: 'L1',
    why: 'Signing tooling (cosign/Syft) is not available, so the pipeline falls back to checksum verification with provenance at SLSA Build L1 and a roadmap to L3 (spec section 10).',
    kb: ['KB_04#Checksum_Fallback', 'KB_04#SLSA_Levels'],
  },
  {
    id: 'supply-chain/slsa-l2-no-l3-builder',
    field: 'security_controls.slsa_level',
    when: (ctx: ModeContext) => high(ctx) && noL3Builder(ctx),
    value: 'L2',
    why: 'High risk tier, but GitLab CI and Azure DevOps have no hosted builder that keeps provenance out of reach of the build steps (SLSA Build L3): the pipeline signs the build\'s provenance under the CI identity (L2), and the roadmap keeps L3.',
    kb: ['KB_04#SLSA_Levels'],
  },
  {
    id: 'supply-chain/slsa-l3-high-risk',
    field: 'security_controls.slsa_level',
    when: high,
    value: 'L3',
    why: 'High risk tier: provenance must be unforgeable even by a malicious build step, which is SLSA Build L3 (isolated builder, signing material out of reach).',
    kb: ['KB_04#SLSA_Levels'],
  },
  {
    id: 'supply-chain/slsa-l2-baseline',
    field: 'security_controls.slsa_level',
    value: 'L2',
    why: 'Medium and low risk tiers: hosted builds with platform-signed provenance (SLSA Build L2) stop tampering after the build at low cost; L3 stays on the roadmap.',
    kb: ['KB_04#SLSA_Levels'],
  },
  {
    id: 'supply-chain/slsa-roadmap',
    field: 'security_controls.slsa_roadmap',
    value: (ctx: ModeContext) => slsaRoadmap(signingUnavailable(ctx) ? 'L1' : high(ctx) && !noL3Builder(ctx) ? 'L3' : 'L2'),
    why: 'Each SLSA level is a concrete change to the pipeline; listing them from the current level keeps the path to L3 explicit.',
    kb: ['KB_04#SLSA_Levels'],
  },
  // --- Provenance -----------------------------------------------------------
  {
    id: 'supply-chain/provenance-unsigned-fallback',
    field: 'security_controls.provenance_tool',
    when: signingUnavailable,
    value: 'unsigned_provenance_json',
    why: 'Without signing tooling the pipeline still writes an SLSA v1 provenance document next to the checksums, which is what Build L1 requires.',
    kb: ['KB_04#Checksum_Fallback', 'KB_04#Provenance'],
  },
  {
    id: 'supply-chain/provenance-gitlab',
    field: 'security_controls.provenance_tool',
    when: ({ profile }) => ciTarget(profile) === 'gitlab_ci',
    value: 'buildkit-provenance-cosign-attest',
    why: "On GitLab BuildKit records the image's SLSA provenance as it builds (--provenance=mode=max) and the pipeline attaches it to the digest with keyless cosign attest under the .gitlab-ci.yml identity; the runner's RUNNER_GENERATE_ARTIFACTS_METADATA covers job artifacts, not container images, so it is not the image's provenance.",
    kb: ['KB_04#Provenance', 'KB_05#GitLab_OIDC'],
  },
  {
    id: 'supply-chain/provenance-azure-devops',
    field: 'security_controls.provenance_tool',
    when: ({ profile }) => ciTarget(profile) === 'azure_devops',
    value: 'cosign-attest',
    why: 'Azure DevOps has no native SLSA generator, so a separate pipeline stage writes the in-toto SLSA predicate and attaches it with cosign attest by digest.',
    kb: ['KB_04#Provenance', 'KB_05#Azure_DevOps_OIDC'],
  },
  {
    id: 'supply-chain/provenance-github-attest-l2',
    field: 'security_controls.provenance_tool',
    when: (ctx) => !high(ctx),
    value: 'attest-build-provenance',
    why: 'At SLSA L2 on GitHub, actions/attest-build-provenance gives platform-signed provenance with one step.',
    kb: ['KB_04#Provenance', 'KB_04#SLSA_Levels'],
  },
  {
    id: 'supply-chain/provenance-slsa-generator',
    field: 'security_controls.provenance_tool',
    value: 'slsa-generator',
    why: 'The SLSA GitHub generator runs as an isolated reusable workflow that the build job cannot influence, which is what SLSA Build L3 asks for.',
    kb: ['KB_04#Provenance', 'KB_04#SLSA_Levels'],
  },
  // --- Signing and verification ------------------------------------------
  {
    id: 'supply-chain/signing-none-fallback',
    field: 'security_controls.signing_tool',
    when: signingUnavailable,
    value: 'none',
    why: 'Signing tooling is unavailable, so integrity rests on published SHA-256 checksums until cosign is installed (spec section 10).',
    kb: ['KB_04#Checksum_Fallback'],
  },
  {
    id: 'supply-chain/signing-cosign',
    field: 'security_controls.signing_tool',
    value: 'cosign',
    why: 'Trust nothing but cryptography: cosign signs images and SBOMs by digest, keyless through the CI OIDC identity, so there is no long-lived key to leak.',
    kb: ['KB_04#Signing'],
  },
  {
    id: 'supply-chain/verification-checksum-fallback',
    field: 'security_controls.verification',
    when: signingUnavailable,
    value: 'checksum',
    why: 'Without signatures, deploy steps verify artifacts against the SHA256SUMS manifest with sha256sum -c before they run anything.',
    kb: ['KB_04#Checksum_Fallback'],
  },
  {
    id: 'supply-chain/verification-cosign-verify',
    field: 'security_controls.verification',
    value: 'cosign_verify',
    why: 'Mode 3 validation: cosign verify (pinned certificate identity and issuer) must pass in staging before promotion, and again at admission in production.',
    kb: ['KB_04#Signing', 'KB_04#Supply_Chain'],
  },
  {
    id: 'supply-chain/sbom-trivy-fallback',
    field: 'security_controls.sbom_tool',
    when: signingUnavailable,
    value: 'trivy',
    why: 'Syft is not available; the vulnerability scanner already in the pipeline (Trivy) also writes the SBOM.',
    kb: ['KB_04#SBOM_Generation', 'KB_04#Checksum_Fallback'],
  },
  {
    id: 'supply-chain/sbom-syft',
    field: 'security_controls.sbom_tool',
    value: 'syft',
    why: 'Syft builds the SBOM from the built image, OS packages included, so rescans and VEX work on what actually ships.',
    kb: ['KB_04#SBOM_Generation'],
  },
  {
    id: 'supply-chain/sbom-format-spdx',
    field: 'security_controls.sbom_format',
    value: 'spdx-json',
    why: 'SPDX JSON is the format auditors and customers ask for most (SPDX 2.2.1 is ISO/IEC 5962:2021; the SPDX 2.3 that Syft writes builds on it), and cosign attests it natively (--type spdxjson).',
    kb: ['KB_04#SBOM_Generation'],
  },
  // --- Admission ----------------------------------------------------------
  {
    id: 'supply-chain/admission-block-root-runners',
    field: 'security_controls.admission_policy',
    when: runnerFocus,
    value: 'block_root_runners',
    why: 'Runner compromise is the risk: admission rejects runner pods that run as root, are privileged or use unpinned images, so a poisoned job cannot own the node.',
    kb: ['KB_17#Runners', 'KB_17#Hardening', 'KB_06#Policy_As_Code'],
  },
  {
    id: 'supply-chain/admission-pinned-digests-fallback',
    field: 'security_controls.admission_policy',
    when: signingUnavailable,
    value: 'require_pinned_digests',
    why: 'Without signatures, admission can still refuse any image not pinned by a digest recorded in the release checksums.',
    kb: ['KB_04#Checksum_Fallback', 'KB_13#Digest_Pinning'],
  },
  {
    id: 'supply-chain/admission-verify-signatures',
    field: 'security_controls.admission_policy',
    when: ({ profile }) => kubernetesLike(profile),
    value: 'verify_signatures',
    why: 'On Kubernetes an admission controller (a Kyverno ImageValidatingPolicy or the Sigstore policy-controller) rejects images whose signature or provenance does not verify.',
    kb: ['KB_04#Signing', 'KB_06#Policy_As_Code'],
  },
  {
    id: 'supply-chain/admission-verify-at-deploy',
    field: 'security_controls.admission_policy',
    value: 'verify_before_deploy',
    why: 'Without a Kubernetes admission controller, the deploy step itself runs cosign verify on the digest and refuses to continue on failure.',
    kb: ['KB_04#Signing', 'KB_06#Scripted_Deploy'],
  },
  // --- Identity, secrets, runners, egress --------------------------------
  {
    id: 'supply-chain/identity-oidc',
    field: 'security_controls.identity',
    value: 'oidc',
    why: 'CI exchanges a short-lived OIDC token for cloud and registry access scoped to repository and branch; no static key exists to leak.',
    kb: ['KB_05#OIDC_Identity', 'KB_05#OIDC'],
  },
  {
    id: 'supply-chain/secrets-aws',
    field: 'security_controls.secrets_store',
    when: cloud('aws'),
    value: 'aws_secrets_manager',
    why: 'On AWS, runtime secrets live in Secrets Manager with rotation and CloudTrail audit, read through IAM roles, never copied into CI variables.',
    kb: ['KB_05#Secret_Stores', 'KB_05#Secrets'],
  },
  {
    id: 'supply-chain/secrets-gcp',
    field: 'security_controls.secrets_store',
    when: cloud('gcp'),
    value: 'gcp_secret_manager',
    why: 'On GCP, runtime secrets live in Secret Manager, read by workload identity, with Cloud Audit Logs on every access.',
    kb: ['KB_05#Secret_Stores', 'KB_05#Secrets'],
  },
  {
    id: 'supply-chain/secrets-azure',
    field: 'security_controls.secrets_store',
    when: cloud('azure'),
    value: 'azure_key_vault',
    why: 'On Azure, runtime secrets live in Key Vault with RBAC and managed identities, audited through diagnostic logs.',
    kb: ['KB_05#Secret_Stores', 'KB_05#Secrets'],
  },
  {
    id: 'supply-chain/secrets-vault-portable',
    field: 'security_controls.secrets_store',
    value: 'hashicorp_vault',
    why: 'On-prem or unknown cloud: HashiCorp Vault (or OpenBao) with JWT/OIDC auth is portable, and External Secrets syncs it into any cluster.',
    kb: ['KB_05#Secret_Stores', 'KB_05#Secrets'],
  },
  {
    id: 'supply-chain/runner-ephemeral',
    field: 'security_controls.runner_type',
    value: 'ephemeral',
    why: 'One job per fresh VM or pod: nothing a compromised job leaves behind (malware, poisoned caches, stolen tokens) survives into the next build.',
    kb: ['KB_17#Ephemeral_Builders', 'KB_17#Runners'],
  },
  {
    id: 'supply-chain/egress-allowlist',
    field: 'security_controls.egress_policy',
    value: 'allowlist',
    why: 'The network is hostile: runners may reach only the source host, the registries, the package proxies and Sigstore, so an attacker cannot exfiltrate or fetch tooling.',
    kb: ['KB_17#Egress_Control', 'KB_04#Zero_Trust'],
  },
  // --- Caches -------------------------------------------------------------
  {
    id: 'supply-chain/cache-scoped-keys',
    field: 'pipeline_blueprint.caching_strategy',
    when: cacheFocus,
    value: 'scoped_keys',
    why: 'Cache poisoning defence: cache keys include the lockfile hash and the branch, so an untrusted branch cannot write a cache that main restores; restored files are hash-checked.',
    kb: ['KB_17#Caching'],
  },
  // --- Evidence bundle ----------------------------------------------------
  {
    id: 'supply-chain/evidence-artifacts-fallback',
    field: 'evidence_bundle_plan.artifacts',
    when: evidenceAnd(signingUnavailable),
    value: ['sbom', 'sha256_checksums', 'unsigned_provenance', 'junit_results', 'policy_audit_log'],
    why: 'Without signatures the bundle carries the checksum manifest and unsigned provenance instead, so the audit trail stays complete at L1.',
    kb: ['KB_10#Evidence_Bundle', 'KB_04#Checksum_Fallback'],
  },
  {
    id: 'supply-chain/evidence-artifacts',
    field: 'evidence_bundle_plan.artifacts',
    when: evidenceFocus,
    value: [...EVIDENCE_ARTIFACTS],
    why: 'Every release produces its own evidence: SBOM, cosign signature, SLSA provenance, JUnit results and the policy audit log, collected automatically by digest.',
    kb: ['KB_10#Evidence_Bundle', 'KB_10#Audit'],
  },
  {
    id: 'supply-chain/retention-hipaa',
    field: 'evidence_bundle_plan.retention',
    when: evidenceAnd(targets('HIPAA')),
    value: '6_years',
    why: 'HIPAA requires documentation to be kept six years (45 CFR 164.316(b)(2)); the strictest target decides the retention of the whole bundle.',
    kb: ['KB_10#Retention', 'KB_10#Compliance'],
  },
  {
    id: 'supply-chain/retention-one-year',
    field: 'evidence_bundle_plan.retention',
    when: evidenceFocus,
    value: '1_year',
    why: 'SOC 2 Type II and PCI DSS auditors sample a 12-month window, so one year of evidence covers the audit period (and is the default for other targets).',
    kb: ['KB_10#Retention', 'KB_10#Compliance'],
  },
  {
    id: 'supply-chain/retention-days',
    field: 'evidence_bundle_plan.retention_days',
    when: evidenceFocus,
    value: ({ profile }: ModeContext) => (profile.compliance.targets.includes('HIPAA') ? 2190 : 365),
    why: 'The retention in days drives the storage lifecycle rule, so the bundle expires exactly when the strictest target allows.',
    kb: ['KB_10#Retention'],
  },
  {
    id: 'supply-chain/auditor-queries',
    field: 'evidence_bundle_plan.auditor_queries',
    when: evidenceFocus,
    value: auditorQueries,
    why: 'Auditors ask first for the change log (who changed what, approved by whom) and then access reviews; each query maps to a file in the bundle.',
    kb: ['KB_10#Audit', 'KB_10#Segregation_Of_Duties'],
  },
  {
    id: 'supply-chain/evidence-targets',
    field: 'evidence_bundle_plan.targets',
    when: ({ profile }) => profile.compliance.targets.length > 0,
    value: ({ profile }: ModeContext) => [...profile.compliance.targets],
    why: 'The bundle serves the compliance targets in the profile, and the report maps each control to its evidence.',
    kb: ['KB_10#Compliance'],
  },
];
