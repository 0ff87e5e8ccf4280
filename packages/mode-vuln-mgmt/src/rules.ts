import type { ModeContext, Rule } from '@ringmaster/core';

/** The remediation clock per severity, in days. */
export interface Slas {
  critical_days: number;
  high_days: number;
  medium_days: number;
  low_days: number;
}

/** Spec Mode 4: critical exploitable fails at once, high is a 7-day SLA; medium and low follow common practice. */
export const DEFAULT_SLAS: Slas = { critical_days: 3, high_days: 7, medium_days: 30, low_days: 90 };
/** Low risk tier: critical and high stay as the spec says; medium and low get more time. */
export const LOW_RISK_SLAS: Slas = { critical_days: 3, high_days: 7, medium_days: 60, low_days: 180 };

export const EPSS_THRESHOLD = 0.1;

export const EXCEPTION_FIELDS = ['cve_id', 'justification', 'compensating_controls', 'expiry', 'approver', 'audit_log_link'] as const;

const lowRisk = ({ profile }: ModeContext): boolean => profile.risk_tier === 'low';

/** Mode 4's decisions (spec section 5, Mode 4; golden-04). First matching row per field wins. */
export const vulnMgmtRules: readonly Rule[] = [
  {
    id: 'vuln-mgmt/scanners-trivy-grype',
    field: 'vuln_mgmt_policy.scanners',
    value: ['trivy', 'grype'],
    why: 'Trivy scans the base image (OS packages) and the lockfiles in the pipeline; Grype rescans the stored SBOMs daily, so new CVEs surface for deployed artifacts without a rebuild.',
    kb: ['KB_16#Scanners', 'KB_16#Vuln_Management'],
  },
  {
    id: 'vuln-mgmt/kev-epss-threshold',
    field: 'vuln_mgmt_policy.kev_epss_threshold',
    value: EPSS_THRESHOLD,
    why: 'Prioritize real risk: a finding counts as exploitable when it is in the CISA KEV catalog or its EPSS score is at least 0.1 (a 10% chance of exploitation in 30 days).',
    kb: ['KB_16#Prioritization'],
  },
  {
    id: 'vuln-mgmt/fail-on-critical-exploitable',
    field: 'vuln_mgmt_policy.fail_on',
    value: `critical AND (KEV-listed OR EPSS >= ${EPSS_THRESHOLD})`,
    why: 'Mode 4 steps 3-4: the pipeline fails only on critical findings that are known or likely exploited, so the gate blocks real risk and not scanner noise.',
    kb: ['KB_16#Prioritization', 'KB_16#Vuln_Management'],
  },
  {
    id: 'vuln-mgmt/warn-on-high',
    field: 'vuln_mgmt_policy.warn_on',
    value: 'high: warn, 7-day SLA',
    why: 'Mode 4 step 5: high findings warn and open a ticket with a 7-day SLA instead of blocking the release.',
    kb: ['KB_16#SLAs'],
  },
  {
    id: 'vuln-mgmt/slas-low-risk',
    field: 'vuln_mgmt_policy.slas',
    when: lowRisk,
    value: LOW_RISK_SLAS,
    why: 'Low risk tier: critical and high keep the 3- and 7-day clocks, while medium (60 days) and low (180 days) findings wait for routine patch cycles.',
    kb: ['KB_16#SLAs'],
  },
  {
    id: 'vuln-mgmt/slas-default',
    field: 'vuln_mgmt_policy.slas',
    value: DEFAULT_SLAS,
    why: 'Remediation clocks: critical 3 days, high 7 days (spec Mode 4), medium 30 and low 90 days, tracked from first detection on the dashboard.',
    kb: ['KB_16#SLAs'],
  },
  {
    id: 'vuln-mgmt/exception-approver-ciso',
    field: 'vuln_mgmt_policy.exception_process.approver_role',
    value: 'CISO',
    why: 'Accepting an exploitable vulnerability is a business risk decision, so the CISO approves it, never the team that asks for it.',
    kb: ['KB_16#Exceptions'],
  },
  {
    id: 'vuln-mgmt/exception-ttl',
    field: 'vuln_mgmt_policy.exception_process.ttl_days',
    value: 30,
    why: 'Exceptions expire after at most 30 days, so every accepted risk is re-examined against new exploit data.',
    kb: ['KB_16#Exceptions'],
  },
  {
    id: 'vuln-mgmt/exception-required-fields',
    field: 'vuln_mgmt_policy.exception_process.required_fields',
    value: [...EXCEPTION_FIELDS],
    why: 'An exception without a CVE, justification, compensating controls, expiry, approver and audit link cannot be reviewed or revoked.',
    kb: ['KB_16#Exceptions'],
  },
  {
    id: 'vuln-mgmt/exception-audit-log',
    field: 'vuln_mgmt_policy.exception_process.audit_log_link',
    value: (ctx: ModeContext) => ctx.delivery.riskAcceptanceLog,
    why: 'Exceptions are recorded as DefectDojo risk acceptances, which keep approver, expiry and history in one auditable place.',
    kb: ['KB_16#Exceptions', 'KB_10#Audit'],
  },
  {
    id: 'vuln-mgmt/vex-openvex',
    field: 'vuln_mgmt_policy.vex_format',
    value: 'openvex',
    why: 'Mode 4 step 6: false positives are declared in OpenVEX, which Trivy and Grype read, so a not_affected statement silences a finding with a recorded justification.',
    kb: ['KB_16#VEX'],
  },
  {
    id: 'vuln-mgmt/dashboard-defectdojo',
    field: 'vuln_mgmt_policy.dashboard',
    value: 'defectdojo',
    why: 'Mode 4 step 7: reports go to DefectDojo, which deduplicates findings across scans and tracks SLAs and risk acceptances.',
    kb: ['KB_16#Vuln_Management'],
  },
];
