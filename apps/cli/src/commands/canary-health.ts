import type { Command } from 'commander';
import { parseProfileText, RingmasterError } from '@ringmaster/core';
import type { BurnRateVerdict, CanaryHealth, PlanFile } from '@ringmaster/connector-prometheus';
import { evidenceRecorder } from '../evidence-log.js';
import { readProfileText } from '../io.js';
import { formatOption } from './options.js';

class CanaryInputError extends RingmasterError {
  constructor(message: string) {
    super('canary_input', message);
  }
}

/** A failing verdict: exit 1, like a failing audit. */
class CanaryUnhealthyError extends RingmasterError {
  constructor(message: string) {
    super('canary_unhealthy', message);
  }
}

/** The burn-rate rule says open an incident: exit 3 (`CANARY_INCIDENT_EXIT`), so a pipeline can tell it from a plain failure. */
export class CanaryIncidentError extends RingmasterError {
  constructor(message: string) {
    super('canary_incident', message);
  }
}

/** The exit code of canary-health when the plan's burn-rate rule (spec Mode 7) says open an incident. */
export const CANARY_INCIDENT_EXIT = 3;

function parseArgs(values: string[]): Record<string, string> {
  const args: Record<string, string> = {};
  for (const value of values) {
    const m = /^([\w-]+)=(.*)$/.exec(value);
    if (!m) throw new CanaryInputError(`--arg: expected NAME=VALUE, found ${JSON.stringify(value)}`);
    args[m[1] as string] = m[2] as string;
  }
  return args;
}

function printText(health: CanaryHealth, verdict: BurnRateVerdict): void {
  const out: string[] = [`canary health of ${health.target} at ${health.at}: ${health.verdict.toUpperCase()}${health.openIncident ? ' (open an incident)' : ''}`];
  for (const a of health.analysis) out.push(`  ${a.passed ? 'ok  ' : 'FAIL'} ${a.name} = ${a.value ?? 'no data'} (${a.condition})`);
  for (const b of health.burn) out.push(`       ${b.record} = ${b.errorRatio ?? 'no data'}${b.burnRate === null ? '' : ` (burn rate ${Number(b.burnRate.toFixed(2))}x)`}`);
  for (const a of health.alerts) out.push(`  ${a.holds ? 'HOLDS' : 'quiet'} ${a.name}${a.severity ? ` [${a.severity}]` : ''}`);
  out.push(`decision: ${verdict.decision} (${verdict.reason})`);
  process.stdout.write(`${out.join('\n')}\n`);
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export function registerCanaryHealth(program: Command): void {
  program
    .command('canary-health')
    .description(
      `Decide a canary's health from Prometheus with the plan's own analysis queries and SLO burn-rate alerts: exit 0 continue, 1 pause (the canary fails), ${CANARY_INCIDENT_EXIT} open an incident (the plan's burn-rate incident rule, spec Mode 7)`,
    )
    .requiredOption('--prometheus <url>', "the Prometheus that sees the target's cluster (token from RINGMASTER_PROMETHEUS_TOKEN)")
    .requiredOption('--target <name>', 'the ring, region or environment under way')
    .option('--plan <dir>', 'a plan --out folder')
    .option('--profile <file>', 'a delivery profile (planned in memory)')
    .option('--service <name>', 'the service whose canary to check, when the plan releases several')
    .option('--arg <name=value>', 'an analysis template argument (default: what the plan\'s Rollout passes); repeatable', collect)
    .option('--evidence <file>', "the run's evidence log (hash-chained JSON Lines): created if missing, the check appended as an action.performed event")
    .addOption(formatOption(['text', 'json'], 'text'))
    .action(async (options: { prometheus: string; target: string; service?: string; plan?: string; profile?: string; arg?: string[]; evidence?: string; format: string }) => {
      if ((options.plan === undefined) === (options.profile === undefined)) throw new CanaryInputError('expected exactly one of --plan DIR or --profile FILE');
      const args = parseArgs(options.arg ?? []);
      const { burnRateVerdict, canaryHealth, healthChecksOf, healthEvidence, MetricsInputError, planFilesOfDir, prometheusClient, PROMETHEUS_ENV } = await import('@ringmaster/connector-prometheus');
      const { discoverPromotionFiles } = await import('@ringmaster/connector-gitops');
      let files: PlanFile[];
      if (options.plan !== undefined) {
        try {
          files = planFilesOfDir(options.plan);
        } catch (error) {
          throw error instanceof MetricsInputError ? new CanaryInputError(`--plan ${error.message}`) : error;
        }
      }
      else {
        const { createEngine } = await import('@ringmaster/modes');
        files = createEngine().plan(parseProfileText(readProfileText(options.profile as string))).files;
      }
      const byPath = new Map(files.map((f) => [f.path, f.content]));
      const targets = [...new Set(discoverPromotionFiles([...byPath.keys()], (p) => byPath.get(p) as string).map((f) => f.target))];
      if (targets.length > 0 && !targets.includes(options.target)) throw new CanaryInputError(`--target: expected one of ${targets.join(', ')}, found ${JSON.stringify(options.target)}`);
      let checks: ReturnType<typeof healthChecksOf>;
      try {
        checks = healthChecksOf(files, args, options.service);
      } catch (error) {
        // The service a check is about is this command's --service.
        throw error instanceof MetricsInputError && error.message.startsWith('service: ') ? new CanaryInputError(`--${error.message}`) : error;
      }
      if (checks.analysis.length === 0) throw new CanaryInputError(`${options.plan ?? options.profile}: expected a plan with a canary AnalysisTemplate (progressive-delivery mode), found none`);
      const token = process.env[PROMETHEUS_ENV.token];
      const source = prometheusClient({ url: options.prometheus, ...(token ? { token } : {}) });
      const recorder = await evidenceRecorder(options.evidence, { kind: 'promotion', title: `canary-health ${options.target}`, params: { target: options.target } }, undefined);
      let health: CanaryHealth;
      try {
        health = await canaryHealth(source, checks, { target: options.target });
      } catch (error) {
        await recorder.record({ data: { action: 'canary-health', outcome: 'failed', ring: options.target, reason: error instanceof Error ? error.message.split('\n')[0] : String(error) } });
        throw error;
      }
      const verdict = burnRateVerdict(health);
      await recorder.record({ data: healthEvidence(health, verdict.decision === 'continue' ? null : verdict.reason, options.service) });
      if (options.format === 'json') process.stdout.write(`${JSON.stringify({ ...health, decision: verdict }, null, 2)}\n`);
      else printText(health, verdict);
      if (verdict.decision === 'open-incident') throw new CanaryIncidentError(`canary of ${options.target}: open an incident: ${verdict.reason}`);
      if (verdict.decision === 'pause') throw new CanaryUnhealthyError(`canary of ${options.target} fails: ${health.reasons.join('; ')}`);
    });
}
