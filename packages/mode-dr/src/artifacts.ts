import { inDoubtReason, notGenerated, runsKubernetes, vendorInDoubt, type ArtifactOutcome, type ArtifactSpec, type Cloud, type Decided, type MarkdownSection, type ModeContext } from '@ringmaster/core';
import { drTargets } from './rules.js';

type KnownCloud = 'aws' | 'gcp' | 'azure' | 'on_prem';
const clouds = (cloud: Cloud): KnownCloud[] => (cloud === 'unknown' ? ['aws', 'gcp', 'azure', 'on_prem'] : [cloud]);

/** Aurora is restored as a cluster (then an instance created in it), not with the instance-level RDS commands. */
const isAurora = (ctx: ModeContext): boolean => /aurora/i.test(ctx.profile.data.primary_store);
const auroraEngine = (ctx: ModeContext): string => (ctx.profile.data.store_family === 'mysql' ? 'aurora-mysql' : 'aurora-postgresql');

/**
 * The names the restore runbook and the drill share, so that the drill rehearses the runbook:
 * same source database, same Azure resource group.
 */
export const DR_NAMES = {
  sourceDb: 'crm-prod-db',
  sourceTable: 'crm_accounts',
  resourceGroup: 'crm-prod',
  drillPrefix: 'crm-drill',
  auroraInstanceClass: 'db.r6g.large',
} as const;

/** "15m" -> 900, "1h" -> 3600. */
export function durationSeconds(text: string): number {
  const m = /^(\d+)([smhd])$/.exec(text);
  if (!m) throw new Error(`not a duration: ${text}`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as 's' | 'm' | 'h' | 'd'];
}

function targetsOf(ctx: ModeContext, decided: Decided): { rpo: string; rto: string; drill: string; scenarios: string[] } {
  const fallback = drTargets(ctx.profile.risk_tier);
  return {
    rpo: decided.get<string>('dr_plan.rpo') ?? fallback.rpo,
    rto: decided.get<string>('dr_plan.rto') ?? fallback.rto,
    drill: decided.get<string>('dr_plan.drill_schedule') ?? fallback.drill_schedule,
    scenarios: decided.get<string[]>('dr_plan.scenarios') ?? ['region_failure'],
  };
}

const azureDbService = (ctx: ModeContext): 'postgres' | 'mysql' => (ctx.profile.data.store_family === 'mysql' ? 'mysql' : 'postgres');

/** The database restore commands for one provider, PITR first and the snapshot as the fallback. */
function restoreSection(cloud: KnownCloud, ctx: ModeContext): MarkdownSection {
  const family = ctx.profile.data.store_family;
  switch (cloud) {
    case 'aws':
      if (family === 'dynamodb') {
        return {
          heading: 'Restore the Database (AWS DynamoDB)',
          paragraphs: ['DynamoDB point-in-time recovery restores into a new table; an on-demand backup (snapshot) is the fallback when PITR was off.'],
          code: {
            lang: 'bash',
            text: `aws dynamodb restore-table-to-point-in-time \\
  --source-table-name <table> --target-table-name <table>-restore-<yyyymmddhhmm> \\
  --restore-date-time "<restore-point-utc>"
aws dynamodb wait table-exists --table-name <table>-restore-<yyyymmddhhmm>
# Fallback: restore the latest on-demand backup (snapshot).
aws dynamodb restore-table-from-backup --target-table-name <table>-restore-<yyyymmddhhmm> --backup-arn <backup-arn>`,
          },
        };
      }
      if (isAurora(ctx)) {
        return {
          heading: 'Restore the Database (Amazon Aurora)',
          paragraphs: [
            'Aurora restores at cluster level: restore the cluster to the point in time into a new cluster (never over the damaged one), then create an instance in it; the restored cluster has no instance until you do. For a region failure, promote the Aurora Global Database secondary cluster in the recovery region instead.',
          ],
          code: {
            lang: 'bash',
            text: `aws rds restore-db-cluster-to-point-in-time \\
  --source-db-cluster-identifier <source-cluster> \\
  --db-cluster-identifier <source-cluster>-restore-<yyyymmddhhmm> \\
  --restore-to-time "<restore-point-utc>" \\
  --db-subnet-group-name <subnet-group> --vpc-security-group-ids <security-group-id>
aws rds wait db-cluster-available --db-cluster-identifier <source-cluster>-restore-<yyyymmddhhmm>
aws rds create-db-instance \\
  --db-instance-identifier <source-cluster>-restore-<yyyymmddhhmm>-1 \\
  --db-cluster-identifier <source-cluster>-restore-<yyyymmddhhmm> \\
  --engine <aurora-engine> --db-instance-class <instance-class>
aws rds wait db-instance-available --db-instance-identifier <source-cluster>-restore-<yyyymmddhhmm>-1
# Fallback when the backup retention window does not cover the restore point: the newest cluster snapshot,
# restored the same way (cluster first, then an instance in it).
aws rds restore-db-cluster-from-snapshot \\
  --db-cluster-identifier <source-cluster>-restore-<yyyymmddhhmm> --snapshot-identifier <cluster-snapshot-id> \\
  --engine <aurora-engine> --db-subnet-group-name <subnet-group> --vpc-security-group-ids <security-group-id>`,
          },
        };
      }
      return {
        heading: 'Restore the Database (AWS RDS)',
        paragraphs: [
          'Restore into a new instance, never over the damaged one. For a region failure, restore in the recovery region from the replicated automated backups (`--source-db-instance-automated-backups-arn`).',
        ],
        code: {
          lang: 'bash',
          text: `aws rds restore-db-instance-to-point-in-time \\
  --source-db-instance-identifier <source-instance> \\
  --target-db-instance-identifier <source-instance>-restore-<yyyymmddhhmm> \\
  --restore-time "<restore-point-utc>" \\
  --db-subnet-group-name <subnet-group> --vpc-security-group-ids <security-group-id>
aws rds wait db-instance-available --db-instance-identifier <source-instance>-restore-<yyyymmddhhmm>
# Fallback when the PITR window does not cover the restore point: the newest snapshot.
aws rds restore-db-instance-from-db-snapshot \\
  --db-instance-identifier <source-instance>-restore-<yyyymmddhhmm> --db-snapshot-identifier <snapshot-id>`,
        },
      };
    case 'gcp':
      return {
        heading: 'Restore the Database (Google Cloud SQL)',
        paragraphs: ['Point-in-time recovery clones the instance at the restore point into a new instance; a backup (snapshot) restore onto a fresh instance is the fallback.'],
        code: {
          lang: 'bash',
          text: `gcloud sql instances clone <source-instance> <source-instance>-restore-<yyyymmddhhmm> \\
  --point-in-time "<restore-point-utc>"
# Fallback: restore the newest backup (snapshot) onto a new instance.
gcloud sql backups restore <backup-id> --restore-instance=<source-instance>-restore-<yyyymmddhhmm> --backup-instance=<source-instance>`,
        },
      };
    case 'azure':
      return {
        heading: `Restore the Database (Azure Database for ${azureDbService(ctx) === 'mysql' ? 'MySQL' : 'PostgreSQL'} flexible server)`,
        paragraphs: ['Azure keeps daily snapshot backups plus transaction logs: restore to a point in time into a new server, or geo-restore into the paired region when the primary region is lost.'],
        code: {
          lang: 'bash',
          text: `az ${azureDbService(ctx)} flexible-server restore --resource-group <resource-group> \\
  --name <source-server>-restore-<yyyymmddhhmm> --source-server <source-server> \\
  --restore-time "<restore-point-utc>"
# Region failure: geo-restore from the geo-redundant backup.
az ${azureDbService(ctx)} flexible-server geo-restore --resource-group <resource-group> \\
  --name <source-server>-restore-<yyyymmddhhmm> --source-server <source-server-resource-id> --location <paired-region>`,
        },
      };
    case 'on_prem':
      return {
        heading: 'Restore the Database (portable: pgBackRest)',
        paragraphs: [
          `Cloud-agnostic PostgreSQL: pgBackRest keeps full backups plus the WAL archive in object storage, so it restores to any point in time; ${runsKubernetes(ctx) ? 'a CSI volume snapshot (VolumeSnapshot)' : 'a storage snapshot (LVM or SAN)'} of the data volume is the fallback. Other engines use their native equivalent (MySQL: a physical backup plus binlog replay).`,
        ],
        code: {
          lang: 'bash',
          text: `pgbackrest --stanza=<stanza> --pg1-path=<new-data-dir> \\
  --type=time "--target=<restore-point-utc>" --target-action=promote --archive-mode=off restore
pg_ctl -D <new-data-dir> -w start
# Fallback: ${onPremSnapshotFallback(ctx)}`,
        },
      };
  }
}

function onPremSnapshotFallback(ctx: ModeContext): string {
  return runsKubernetes(ctx)
    ? 'create a PersistentVolumeClaim whose dataSource is the newest VolumeSnapshot of the data volume.'
    : 'mount the newest storage snapshot (LVM or SAN) of the data volume as <new-data-dir> and start from it.';
}

/**
 * What each value a restore command needs means, and how to set it. Listed so that a value that
 * reads another variable comes after it: the block is run top to bottom.
 */
function restoreVariables(ctx: ModeContext): readonly { key: string; value: string; meaning: string }[] {
  const az = azureDbService(ctx);
  return [
    { key: 'resource-group', value: DR_NAMES.resourceGroup, meaning: 'the Azure resource group of the database (the drill restores into the same one)' },
    { key: 'source-instance', value: DR_NAMES.sourceDb, meaning: 'the database instance to restore from' },
    { key: 'source-cluster', value: DR_NAMES.sourceDb, meaning: 'the Aurora cluster to restore from' },
    { key: 'source-server', value: DR_NAMES.sourceDb, meaning: 'the database server to restore from' },
    { key: 'table', value: DR_NAMES.sourceTable, meaning: 'the DynamoDB table to restore' },
    { key: 'yyyymmddhhmm', value: '"$(date -u +%Y%m%d%H%M)"', meaning: 'suffix that makes the restored name unique' },
    { key: 'restore-point-utc', value: '"$(date -u -d \'5 minutes ago\' +%Y-%m-%dT%H:%M:%SZ)"', meaning: 'the chosen restore point: the last minute before the corruption' },
    { key: 'aurora-engine', value: auroraEngine(ctx), meaning: 'the Aurora engine of the cluster' },
    { key: 'instance-class', value: DR_NAMES.auroraInstanceClass, meaning: 'the instance class of the restored cluster\'s writer' },
    { key: 'subnet-group', value: 'crm-db-subnets', meaning: 'the DB subnet group of the recovery VPC' },
    { key: 'security-group-id', value: '"$(aws ec2 describe-security-groups --filters Name=group-name,Values=crm-db --query \'SecurityGroups[0].GroupId\' --output text)"', meaning: 'the database security group' },
    { key: 'snapshot-id', value: '"$(aws rds describe-db-snapshots --db-instance-identifier "${SOURCE_INSTANCE}" --query \'sort_by(DBSnapshots,&SnapshotCreateTime)[-1].DBSnapshotIdentifier\' --output text)"', meaning: 'the newest snapshot' },
    { key: 'cluster-snapshot-id', value: '"$(aws rds describe-db-cluster-snapshots --db-cluster-identifier "${SOURCE_CLUSTER}" --query \'sort_by(DBClusterSnapshots,&SnapshotCreateTime)[-1].DBClusterSnapshotIdentifier\' --output text)"', meaning: 'the newest cluster snapshot' },
    { key: 'backup-arn', value: '"$(aws dynamodb list-backups --table-name "${TABLE}" --query \'BackupSummaries[-1].BackupArn\' --output text)"', meaning: 'the newest on-demand backup' },
    { key: 'backup-id', value: '"$(gcloud sql backups list --instance="${SOURCE_INSTANCE}" --sort-by=~windowStartTime --limit=1 --format=\'value(id)\')"', meaning: 'the newest Cloud SQL backup' },
    { key: 'source-server-resource-id', value: `"$(az ${az} flexible-server show -g "\${RESOURCE_GROUP}" -n "\${SOURCE_SERVER}" --query id -o tsv)"`, meaning: 'the source server resource id' },
    { key: 'paired-region', value: 'northeurope', meaning: 'the paired recovery region' },
    { key: 'stanza', value: 'crm', meaning: 'the pgBackRest stanza of the cluster' },
    { key: 'new-data-dir', value: '/var/lib/postgresql/15/restore', meaning: 'an empty data directory for the restored cluster' },
  ];
}

const shellName = (key: string): string => key.replace(/-/g, '_').toUpperCase();

/** Replaces `<name>` in the commands with `${NAME}` and lists the variables they need (and those needs read), so the runbook has no placeholders. */
function withShellVariables(ctx: ModeContext, sections: MarkdownSection[]): { sections: MarkdownSection[]; variables: { name: string; value: string; meaning: string }[] } {
  const table = restoreVariables(ctx);
  const known = new Set(table.map((v) => v.key));
  const used = new Set<string>();
  const expand = (text: string): string =>
    text.replace(/<([a-z][a-z0-9-]*)>/g, (match, key: string) => {
      if (!known.has(key)) return match;
      used.add(key);
      return `\${${shellName(key)}}`;
    });
  // Every expansion ends up in double quotes: inside a quoted string as it is, else the whole word is quoted.
  const replace = (text: string): string =>
    text
      .split(/("[^"\n]*")/)
      .map((part, i) => (i % 2 === 1 ? expand(part) : part.replace(/[^\s"'\\]*<[a-z][a-z0-9-]*>[^\s"'\\]*/g, (word) => (expand(word) === word ? word : `"${expand(word)}"`))))
      .join('');
  const out = sections.map((s) => (s.code ? { ...s, code: { ...s.code, text: replace(s.code.text) } } : s));
  // A value that reads another variable needs it too (later entries only read earlier ones).
  for (const v of [...table].reverse()) {
    if (!used.has(v.key)) continue;
    for (const other of table) if (v.value.includes(`\${${shellName(other.key)}}`)) used.add(other.key);
  }
  const variables = table.filter((v) => used.has(v.key)).map((v) => ({ name: shellName(v.key), value: v.value, meaning: v.meaning }));
  return { sections: out, variables };
}

export function restoreRunbook(ctx: ModeContext, decided: Decided): ArtifactSpec {
  const t = targetsOf(ctx, decided);
  const cloud = ctx.profile.infra.cloud_provider;
  const { sections: restores, variables } = withShellVariables(ctx, clouds(cloud).map((c) => restoreSection(c, ctx)));
  const sections: MarkdownSection[] = [
    {
      heading: 'Targets',
      table: { header: ['Target', 'Value', 'Measured from'], rows: [['RPO', t.rpo, 'restore point to the last committed write before the failure'], ['RTO', t.rto, 'declaration to passing health checks']] },
    },
    {
      heading: 'Set the Variables',
      paragraphs: ['Every command below reads these shell variables; set them once in the recovery shell.'],
      code: { lang: 'bash', text: variables.map((v) => `export ${v.name}=${v.value}  # ${v.meaning}`).join('\n') },
    },
    {
      heading: 'Before You Start',
      checklist: [
        'Declare the incident (or the drill) and note the Detection Time in the incident log.',
        'Pause automated deploys: suspend GitOps auto-sync for the affected applications.',
        'Choose the restore point: the last minute before the corruption, or the latest restorable time for a region failure.',
      ],
    },
    {
      heading: '1. Stop Traffic',
      paragraphs: ['Switch the platform to maintenance mode (feature flag or a GitOps commit that routes to the maintenance page) so no write lands on the damaged database.'],
    },
    ...(cloud === 'unknown'
      ? [{ heading: '2. Restore the Database', paragraphs: ['The profile does not name the cloud: use the section for yours below. All of them restore into a new instance from point-in-time recovery, with the newest snapshot as the fallback.'] }]
      : []),
    ...restores.map((s) => (cloud === 'unknown' ? s : { ...s, heading: `2. ${s.heading}` })),
    {
      heading: '3. Reprovision the Infrastructure',
      paragraphs: ['Rebuild the platform in the recovery region from infrastructure as code through the pipeline (plan, review, apply); nothing is built by hand. GitOps then deploys the current signed digests.'],
    },
    {
      heading: '4. Repoint and Verify',
      steps: [
        'Update the database endpoint in the secret store entry the services reference (no credentials in Git), and commit the endpoint change to the GitOps repository.',
        'Check the data: the newest write timestamp against the RPO, row counts of the core tables against the last known values.',
        'Check the service: health checks, error rate and latency under their thresholds.',
      ],
    },
    {
      heading: '5. Restore Traffic and Record',
      steps: ['Lift maintenance mode and resume GitOps auto-sync.', 'Record the timings (declared, restore started, restore finished, healthy) and the measured RPO and RTO in the incident log.', 'Open findings for every step that was wrong or slow.'],
    },
  ];
  return {
    name: 'restore_runbook.md',
    path: 'docs/runbooks/restore_runbook.md',
    type: 'runbook',
    kb: ['KB_15#Restore_Procedure', 'KB_15#PITR', 'KB_15#IaC_Reprovisioning'],
    body: { format: 'markdown', doc: { title: 'Restore Runbook', intro: `Restore the CRM platform within RTO ${t.rto} and RPO ${t.rpo}. [KBTRACE: KB_15#Restore_Procedure]`, sections } },
  };
}

const RRULE: Readonly<Record<string, string>> = {
  weekly: 'FREQ=WEEKLY;BYDAY=TU;BYHOUR=14;BYMINUTE=0',
  monthly: 'FREQ=MONTHLY;BYDAY=1TU;BYHOUR=14;BYMINUTE=0',
  quarterly: 'FREQ=MONTHLY;INTERVAL=3;BYDAY=1TU;BYHOUR=14;BYMINUTE=0',
};

export function drillSchedule(ctx: ModeContext, decided: Decided): ArtifactSpec {
  const t = targetsOf(ctx, decided);
  return {
    name: 'drill_schedule.json',
    path: 'dr/drill_schedule.json',
    type: 'template',
    kb: ['KB_15#Drills', 'KB_15#RTO_Tracking'],
    body: {
      format: 'json',
      schema: 'plain',
      value: {
        recurrence: t.drill,
        ...(t.drill === 'weekly' ? {} : { week_of_month: 1 }),
        day: 'Tuesday',
        time_utc: '14:00',
        rrule: RRULE[t.drill] ?? RRULE.weekly,
        why_not_friday: 'A drill that finds a broken restore needs the following working days to fix it.',
        targets: { rpo: t.rpo, rto: t.rto },
        scenario_rotation: t.scenarios,
        runner: 'scripts/dr_drill.sh',
        evidence: decided.get<string[]>('dr_plan.evidence_artifacts') ?? [],
        on_failure: 'page the platform on-call and open a finding; a missed target blocks the next release train until triaged',
      },
    },
  };
}

/** The AWS drill: a cluster restore for Aurora, a table restore for DynamoDB, an instance restore for RDS. */
function awsDrill(ctx: ModeContext): string {
  if (ctx.profile.data.store_family === 'dynamodb') {
    return `restore_aws() {
  local latest latest_epoch
  latest="$(aws dynamodb describe-continuous-backups --table-name "\${SOURCE_DB}" --query 'ContinuousBackupsDescription.PointInTimeRecoveryDescription.LatestRestorableDateTime' --output text)"
  latest_epoch="$(date -u -d "\${latest}" +%s)"
  rpo_seconds="$((started - latest_epoch))"
  aws dynamodb restore-table-to-point-in-time \\
    --source-table-name "\${SOURCE_DB}" --target-table-name "\${drill_db}" --use-latest-restorable-time >/dev/null
  aws dynamodb wait table-exists --table-name "\${drill_db}"
}
cleanup_aws() {
  aws dynamodb delete-table --table-name "\${drill_db}" >/dev/null
}`;
  }
  if (isAurora(ctx)) {
    return `restore_aws() {
  local latest latest_epoch
  latest="$(aws rds describe-db-clusters --db-cluster-identifier "\${SOURCE_DB}" --query 'DBClusters[0].LatestRestorableTime' --output text)"
  latest_epoch="$(date -u -d "\${latest}" +%s)"
  rpo_seconds="$((started - latest_epoch))"
  # Aurora restores at cluster level; the restored cluster serves nothing until an instance is created in it.
  aws rds restore-db-cluster-to-point-in-time \\
    --source-db-cluster-identifier "\${SOURCE_DB}" \\
    --db-cluster-identifier "\${drill_db}" \\
    --use-latest-restorable-time >/dev/null
  aws rds wait db-cluster-available --db-cluster-identifier "\${drill_db}"
  aws rds create-db-instance \\
    --db-instance-identifier "\${drill_db}-1" --db-cluster-identifier "\${drill_db}" \\
    --engine "\${AURORA_ENGINE}" --db-instance-class "\${DRILL_INSTANCE_CLASS}" >/dev/null
  aws rds wait db-instance-available --db-instance-identifier "\${drill_db}-1"
}
cleanup_aws() {
  aws rds delete-db-instance --db-instance-identifier "\${drill_db}-1" >/dev/null
  aws rds wait db-instance-deleted --db-instance-identifier "\${drill_db}-1"
  aws rds delete-db-cluster --db-cluster-identifier "\${drill_db}" --skip-final-snapshot >/dev/null
}`;
  }
  return `restore_aws() {
  local latest latest_epoch
  latest="$(aws rds describe-db-instances --db-instance-identifier "\${SOURCE_DB}" --query 'DBInstances[0].LatestRestorableTime' --output text)"
  latest_epoch="$(date -u -d "\${latest}" +%s)"
  rpo_seconds="$((started - latest_epoch))"
  aws rds restore-db-instance-to-point-in-time \\
    --source-db-instance-identifier "\${SOURCE_DB}" \\
    --target-db-instance-identifier "\${drill_db}" \\
    --use-latest-restorable-time >/dev/null
  aws rds wait db-instance-available --db-instance-identifier "\${drill_db}"
}
cleanup_aws() {
  aws rds delete-db-instance --db-instance-identifier "\${drill_db}" --skip-final-snapshot --delete-automated-backups >/dev/null
}`;
}

const DRILL_FUNCTIONS: Readonly<Record<Exclude<KnownCloud, 'aws'>, string>> = {
  gcp: `restore_gcp() {
  # Clones the instance at its latest state; the command waits for the operation.
  gcloud sql instances clone "\${SOURCE_DB}" "\${drill_db}"
}
cleanup_gcp() {
  gcloud sql instances delete "\${drill_db}" --quiet
}`,
  azure: `restore_azure() {
  # Without --restore-time the server is restored to the latest restorable point.
  az "\${AZURE_DB_SERVICE}" flexible-server restore --resource-group "\${RESOURCE_GROUP}" \\
    --name "\${drill_db}" --source-server "\${SOURCE_DB}"
}
cleanup_azure() {
  az "\${AZURE_DB_SERVICE}" flexible-server delete --resource-group "\${RESOURCE_GROUP}" --name "\${drill_db}" --yes
}`,
  on_prem: `restore_on_prem() {
  local pgdata="\${DRILL_PGDATA_ROOT}/\${drill_db}"
  install -d -m 700 "\${pgdata}"
  # Replays the WAL archive to its end; archiving is off so the copy never writes to the production repository.
  pgbackrest --stanza="\${PGBACKREST_STANZA}" --pg1-path="\${pgdata}" --archive-mode=off restore
  pg_ctl -D "\${pgdata}" -o "-p \${DRILL_PORT}" -w start
  until [ "$(psql -h localhost -p "\${DRILL_PORT}" -d postgres -Atc 'select pg_is_in_recovery()')" = "f" ]; do
    sleep 5
  done
}
cleanup_on_prem() {
  pg_ctl -D "\${DRILL_PGDATA_ROOT}/\${drill_db}" -m fast -w stop
  rm -rf -- "\${DRILL_PGDATA_ROOT:?}/\${drill_db}"
}`,
};

export function drDrillScript(ctx: ModeContext, decided: Decided): ArtifactSpec {
  const t = targetsOf(ctx, decided);
  const cloud = ctx.profile.infra.cloud_provider;
  const providers = clouds(cloud);
  const vars: Record<string, string> = {
    SOURCE_DB: cloud === 'aws' && ctx.profile.data.store_family === 'dynamodb' ? DR_NAMES.sourceTable : DR_NAMES.sourceDb,
    DRILL_DB_PREFIX: DR_NAMES.drillPrefix,
    RTO_TARGET_SECONDS: String(durationSeconds(t.rto)),
    RPO_TARGET_SECONDS: String(durationSeconds(t.rpo)),
    SCENARIO_DEFAULT: t.scenarios[0] ?? 'region_failure',
    CLEANUP: 'true',
  };
  if (providers.includes('aws') && isAurora(ctx)) {
    vars.AURORA_ENGINE = auroraEngine(ctx);
    vars.DRILL_INSTANCE_CLASS = DR_NAMES.auroraInstanceClass;
  }
  if (providers.includes('azure')) {
    vars.AZURE_DB_SERVICE = azureDbService(ctx);
    // The runbook's resource group: the drill restores where a real recovery would.
    vars.RESOURCE_GROUP = DR_NAMES.resourceGroup;
  }
  if (providers.includes('on_prem')) {
    vars.PGBACKREST_STANZA = 'crm';
    vars.DRILL_PGDATA_ROOT = '/var/lib/postgresql/drills';
    vars.DRILL_PORT = '5499';
  }
  let select: string;
  if (cloud === 'unknown') {
    vars.CLOUD_DEFAULT = 'unknown';
    select = `cloud="\${CLOUD_PROVIDER:-\${CLOUD_DEFAULT}}"
case "\${cloud}" in
  aws | gcp | azure | on_prem) ;;
  *)
    echo "set CLOUD_PROVIDER to aws, gcp, azure or on_prem (the profile did not name the cloud)" >&2
    exit 2
    ;;
esac`;
  } else {
    vars.CLOUD = cloud;
    select = 'cloud="${CLOUD}"';
  }
  const script = `# Restores the newest recoverable state into a throwaway instance and measures RTO (and RPO where the cloud reports it).
# Exit 1 when a target is missed, so the scheduled job's status is the alert.
scenario="\${DRILL_SCENARIO:-\${SCENARIO_DEFAULT}}"
stamp="$(date -u +%Y%m%d%H%M%S)"
drill_db="\${DRILL_DB_PREFIX}-\${stamp}"
evidence="dr_drill_\${stamp}.json"
rpo_seconds="null"

${providers.map((p) => (p === 'aws' ? awsDrill(ctx) : DRILL_FUNCTIONS[p])).join('\n\n')}

${select}
cleanup() {
  "cleanup_\${cloud}"
}
if [ "\${CLEANUP}" = "true" ]; then
  trap cleanup EXIT
fi

started="$(date -u +%s)"
echo "drill \${scenario}: restoring \${SOURCE_DB} into \${drill_db}"
"restore_\${cloud}"
restored="$(date -u +%s)"
rto_seconds="$((restored - started))"

rto_met=true
if [ "\${rto_seconds}" -gt "\${RTO_TARGET_SECONDS}" ]; then rto_met=false; fi
rpo_met=null
if [ "\${rpo_seconds}" != "null" ]; then
  rpo_met=true
  if [ "\${rpo_seconds}" -gt "\${RPO_TARGET_SECONDS}" ]; then rpo_met=false; fi
fi

jq -n --arg scenario "\${scenario}" --arg source "\${SOURCE_DB}" --arg target "\${drill_db}" \\
  --argjson started "\${started}" --argjson restored "\${restored}" \\
  --argjson rto "\${rto_seconds}" --argjson rto_target "\${RTO_TARGET_SECONDS}" --argjson rto_met "\${rto_met}" \\
  --argjson rpo "\${rpo_seconds}" --argjson rpo_target "\${RPO_TARGET_SECONDS}" --argjson rpo_met "\${rpo_met}" \\
  '{scenario: $scenario, source: $source, restored_into: $target,
    started_at: ($started | todate), restored_at: ($restored | todate),
    rto_seconds: $rto, rto_target_seconds: $rto_target, rto_met: $rto_met,
    rpo_seconds: $rpo, rpo_target_seconds: $rpo_target, rpo_met: $rpo_met}' >"\${evidence}"
echo "evidence: \${evidence} (RTO \${rto_seconds}s of \${RTO_TARGET_SECONDS}s, RPO \${rpo_seconds}s of \${RPO_TARGET_SECONDS}s)"
if [ "\${rto_met}" = "false" ] || [ "\${rpo_met}" = "false" ]; then
  exit 1
fi`;
  return {
    name: 'dr_drill.sh',
    path: 'scripts/dr_drill.sh',
    type: 'runbook',
    kb: ['KB_15#Drills', 'KB_15#RTO_Tracking'],
    body: { format: 'shell', summary: 'DR drill: point-in-time restore into a throwaway instance, timed against the RTO and RPO targets.', vars, script },
  };
}

export function incidentLogTemplate(ctx: ModeContext, decided: Decided): ArtifactSpec {
  const t = targetsOf(ctx, decided);
  return {
    name: 'incident_log_template.md',
    path: 'docs/templates/incident_log_template.md',
    type: 'template',
    kb: ['KB_14#Incident_Response', 'KB_15#RTO_Tracking'],
    body: {
      format: 'markdown',
      doc: {
        title: 'Incident Log: INC-NNNN',
        intro: 'One log per incident or DR drill, filled in as it happens (times in UTC). It feeds the post-mortem and the evidence bundle. [KBTRACE: KB_14#Incident_Response]',
        sections: [
          {
            heading: 'Incident',
            table: {
              header: ['Field', 'Value'],
              rows: [
                ['Incident id', ''],
                ['Severity', 'sev1 / sev2 / sev3'],
                ['Incident commander', ''],
                ['Detection Time (UTC)', ''],
                ['Declared (UTC)', ''],
                ['Restore started (UTC)', ''],
                ['Service healthy (UTC)', ''],
                ['Measured RTO (declared to healthy)', `target ${t.rto}`],
                ['Measured RPO (data-loss window)', `target ${t.rpo}`],
                ['Restore point used', ''],
              ],
            },
          },
          { heading: 'Log', paragraphs: ['Append-only; correct by adding a line, never by editing one.'], table: { header: ['Time (UTC)', 'Who', 'Action or observation', 'Evidence link'], rows: [['', '', '', '']] } },
          { heading: 'Follow-up', checklist: ['Post-mortem scheduled', 'Evidence exported to the evidence store', 'Findings opened with owners'] },
        ],
      },
    },
  };
}

/** Why the drill script cannot be generated for this profile, if it cannot. */
function drillGap(ctx: ModeContext): string | undefined {
  const family = ctx.profile.data.store_family;
  if (ctx.profile.infra.cloud_provider === 'on_prem' && family !== 'postgres' && family !== 'unknown') {
    return `the on-prem drill restores PostgreSQL with pgBackRest; for ${ctx.profile.data.primary_store} script your engine's point-in-time restore and time it against the targets in dr/drill_schedule.json`;
  }
  return undefined;
}

/** The DR files; the cloud-specific ones are not generated while the profile contradicts itself about the cloud. */
export function drArtifacts(ctx: ModeContext, decided: Decided): ArtifactOutcome[] {
  const doubt = vendorInDoubt(ctx, 'cloud');
  const gap = drillGap(ctx);
  return [
    doubt ? notGenerated('restore_runbook.md', inDoubtReason(doubt)) : restoreRunbook(ctx, decided),
    drillSchedule(ctx, decided),
    doubt ? notGenerated('dr_drill.sh', inDoubtReason(doubt)) : gap ? notGenerated('dr_drill.sh', gap) : drDrillScript(ctx, decided),
    incidentLogTemplate(ctx, decided),
  ];
}
