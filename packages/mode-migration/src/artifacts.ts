import { GITLAB_DOCKER, notGenerated, pinnedUses, runOnCheckout, runsKubernetes, vendorInDoubt, inDoubtReason, planRollback, type ArtifactOutcome, type ArtifactSpec, type Decided, type ModeContext } from '@ringmaster/core';

/** Throwaway dev databases Atlas replays migrations into, pinned by digest like every job image. */
const POSTGRES_DEV_IMAGE = 'postgres:16@sha256:95206741a5b214807675e14165369d05b93a9cf692223b616d07cca227e74b0b';
const MYSQL_DEV_IMAGE = 'mysql:8@sha256:b3b90af2a6552ae30c266fdb7d5dd55f3afb72404bb78d37fe8a23eb857fd3fb';
/** Atlas CLI image, pinned by digest (arigaio/atlas 1.3.3). Distroless: no shell, so CI jobs run it with `docker run`, never as a job image. */
const ATLAS_IMAGE = 'arigaio/atlas@sha256:07f3f92fa46e684ed789d5ef344a25494a4fa6844ef1ea1fa4e138522c2c37ac';

/**
 * The worked example every expand-contract artifact uses: rename users.old_col to users.new_col
 * without downtime. Runs on PostgreSQL 11+ against `users (id bigint primary key, old_col varchar(255))`.
 */
export const EXAMPLE = { table: 'users', oldColumn: 'old_col', newColumn: 'new_col' } as const;

const TRIGGER_FUNCTION = `CREATE OR REPLACE FUNCTION users_dual_write_new_col() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- Dual write: keep old_col and new_col equal whichever application version wrote the row.
  IF TG_OP = 'INSERT' THEN
    IF NEW.new_col IS NULL THEN
      NEW.new_col := NEW.old_col;
    ELSIF NEW.old_col IS NULL THEN
      NEW.old_col := NEW.new_col;
    END IF;
  ELSIF NEW.new_col IS DISTINCT FROM OLD.new_col THEN
    NEW.old_col := NEW.new_col;
  ELSIF NEW.old_col IS DISTINCT FROM OLD.old_col THEN
    NEW.new_col := NEW.old_col;
  END IF;
  RETURN NEW;
END;
$$`;

const BACKFILL_PROCEDURE = `CREATE OR REPLACE PROCEDURE backfill_users_new_col(batch_size integer DEFAULT 1000)
LANGUAGE plpgsql AS $$
DECLARE
  updated integer;
BEGIN
  -- Backfill in small batches, one commit each, so no long lock or transaction holds the table.
  -- Run it as its own statement, outside a transaction block: CALL backfill_users_new_col(1000);
  LOOP
    UPDATE users SET new_col = old_col
    WHERE id IN (
      SELECT id FROM users
      WHERE new_col IS NULL AND old_col IS NOT NULL
      ORDER BY id
      LIMIT batch_size
      FOR UPDATE SKIP LOCKED
    );
    GET DIAGNOSTICS updated = ROW_COUNT;
    EXIT WHEN updated = 0;
    COMMIT;
  END LOOP;
END;
$$`;

export function migrationScript(): ArtifactSpec {
  return {
    name: 'migration_script.sql',
    path: 'db/migrations/20250101000000_expand_users_new_col.sql',
    type: 'template',
    kb: ['KB_08#Expand_Contract', 'KB_08#Dual_Write'],
    body: {
      format: 'sql',
      summary: [
        'Expand phase (PostgreSQL 11+): add users.new_col beside users.old_col without downtime. KB_08#Expand_Contract',
        'Additive only: the column is nullable with no default (a metadata-only change), a trigger dual-writes both columns,',
        'and old_col stays until migration_contract.sql runs. Backfill: CALL backfill_users_new_col(1000); on its own, outside a transaction.',
      ].join('\n'),
      statements: [
        "SET lock_timeout = '5s'",
        'ALTER TABLE users ADD COLUMN IF NOT EXISTS new_col VARCHAR(255)',
        TRIGGER_FUNCTION,
        'DROP TRIGGER IF EXISTS users_dual_write_new_col ON users',
        'CREATE TRIGGER users_dual_write_new_col BEFORE INSERT OR UPDATE ON users FOR EACH ROW EXECUTE FUNCTION users_dual_write_new_col()',
        BACKFILL_PROCEDURE,
      ],
    },
  };
}

export function migrationContract(): ArtifactSpec {
  return {
    name: 'migration_contract.sql',
    path: 'db/migrations/20250201000000_contract_users_old_col.sql',
    type: 'template',
    kb: ['KB_08#Expand_Contract', 'KB_08#Schema_Linting'],
    body: {
      format: 'sql',
      summary: [
        'Contract phase (PostgreSQL 11+): only after every running application version reads and writes new_col,',
        'and the backfill is complete. It refuses to run while a row still lacks new_col. This is the one intentionally',
        'destructive step, reviewed and marked for the schema linter. KB_08#Expand_Contract',
      ].join('\n'),
      statements: [
        "SET lock_timeout = '5s'",
        `DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM users WHERE new_col IS NULL AND old_col IS NOT NULL) THEN
    RAISE EXCEPTION 'backfill incomplete: users.new_col is still NULL where old_col is set';
  END IF;
END;
$$`,
        'DROP TRIGGER IF EXISTS users_dual_write_new_col ON users',
        'DROP FUNCTION IF EXISTS users_dual_write_new_col()',
        'DROP PROCEDURE IF EXISTS backfill_users_new_col(integer)',
        '-- atlas:nolint destructive\nALTER TABLE users DROP COLUMN IF EXISTS old_col',
      ],
    },
  };
}

export function rollbackPlan(ctx: ModeContext, decided: Decided): ArtifactSpec {
  const tenancy = decided.get<string>('migration_plan.tenancy_rollout');
  const waves = tenancy === 'per_tenant_waves_by_cohort' || tenancy === 'per_shard_waves_then_shared';
  const rollback = planRollback(ctx);
  return {
    name: 'rollback_plan.md',
    path: 'docs/runbooks/rollback_plan.md',
    type: 'runbook',
    kb: ['KB_08#ZeroDowntime', 'KB_14#Rollback'],
    body: {
      format: 'markdown',
      doc: {
        title: 'Rollback Plan: users.new_col Migration',
        intro: 'The expand step is backward compatible, so a rollback reverts the application and leaves the schema alone; the database is never restored to undo a release. [KBTRACE: KB_08#ZeroDowntime]',
        sections: [
          {
            heading: 'When to Revert',
            bullets: ['Error rate or latency over the rollback threshold after the release that reads or writes new_col.', 'Data checks fail: new_col differs from old_col on rows the trigger should have synced.'],
          },
          {
            heading: 'Revert Steps',
            steps: [
              `Revert the app version, target by target: ${rollback.rollback}${rollback.trafficStop === undefined ? '' : ` While a canary is still running, \`${rollback.trafficStop}\` stops its traffic at once.`}`,
              'Stop writing to new_col: the previous version writes only old_col, and the dual-write trigger keeps new_col in sync, so a later roll-forward loses nothing. Turn off the flag that moved reads to new_col, if one did.',
              'Keep the schema: do not drop new_col, the trigger or the backfill procedure during the incident; they are harmless to the old version.',
              ...(waves ? ['Stop the tenant wave: no further tenant databases get the migration until the cause is understood; migrated tenants keep running on the old version.'] : []),
              'Verify: error rate back under threshold and spot checks show old_col = new_col.',
            ],
          },
          {
            heading: 'Undo the Expand (Only If Needed)',
            paragraphs: ['Only if the new column itself is wrong, as a new reviewed migration (destructive, so the schema linter requires an explicit nolint with a reason):'],
            code: {
              lang: 'sql',
              text: `DROP TRIGGER IF EXISTS users_dual_write_new_col ON users;
DROP FUNCTION IF EXISTS users_dual_write_new_col();
DROP PROCEDURE IF EXISTS backfill_users_new_col(integer);
-- atlas:nolint destructive
ALTER TABLE users DROP COLUMN IF EXISTS new_col;`,
            },
          },
          {
            heading: 'Last Resort: Restore',
            paragraphs: ['If data was destroyed (for example a contract step ran too early), restore from point-in-time recovery to a new instance and reconcile; this is the risk matrix fallback and costs up to the RPO. [KBTRACE: KB_15#PITR]'],
          },
        ],
      },
    },
  };
}

/** The throwaway dev database Atlas replays migrations on, per engine. */
function devDatabase(ctx: ModeContext): { image: string; env: Record<string, string>; port: number; url: (host: string) => string; readyCommand: string } {
  return ctx.profile.data.store_family === 'mysql'
    ? { image: MYSQL_DEV_IMAGE, env: { MYSQL_ALLOW_EMPTY_PASSWORD: 'yes', MYSQL_DATABASE: 'dev' }, port: 3306, url: (host) => `mysql://root@${host}:3306/dev`, readyCommand: 'mysqladmin ping -h 127.0.0.1 --silent' }
    : { image: POSTGRES_DEV_IMAGE, env: { POSTGRES_HOST_AUTH_METHOD: 'trust', POSTGRES_DB: 'dev' }, port: 5432, url: (host) => `postgres://postgres@${host}:5432/dev?sslmode=disable`, readyCommand: 'pg_isready -U postgres' };
}

/** The lint command, the same in every CI: the newest migration against the dev database, destructive changes fail. */
const lintArgs = (devUrl: string): string => `migrate lint --dir file://db/migrations --dev-url "${devUrl}" --latest 1`;

const ATLAS_HCL = [
  'atlas.hcl (in the repository root) holds the lint policy this job enforces:',
  '  lint {',
  '    destructive {',
  '      error = true   # dropping a table or column fails the build',
  '    }',
  '    incompatible {',
  '      error = true   # renames and type changes that break the running version fail too',
  '    }',
  '  }',
  'A contract migration that must drop something says so on the statement: -- atlas:nolint destructive',
  'KB_08#Schema_Linting',
];

/** The Atlas lint job in the profile's CI system; a CI system Ringmaster has no format for gets none. */
export function schemaLinter(ctx: ModeContext): ArtifactOutcome {
  const db = devDatabase(ctx);
  const base = { name: 'schema_linter.yaml', type: 'policy' as const, kb: ['KB_08#Schema_Linting'] as const };
  const vendor = ctx.profile.ci_vendor;
  if (vendor === 'other') {
    return notGenerated('schema_linter.yaml', `Ringmaster writes CI jobs for GitHub Actions, GitLab CI and Azure Pipelines, not ${ctx.profile.ci_platform}; run \`atlas ${lintArgs(db.url('<dev-db-host>'))}\` (image ${ATLAS_IMAGE}) in a job that fails the merge request`);
  }
  if (vendor === 'gitlab_ci') {
    return {
      ...base,
      kb: [...base.kb],
      path: '.gitlab/ci/schema_linter.yml',
      body: {
        format: 'yaml',
        schema: 'gitlab-ci',
        header: [
          'GitLab CI job: Atlas lints new migrations and fails on destructive changes.',
          'Include it from the root .gitlab-ci.yml (include: [{ local: .gitlab/ci/schema_linter.yml }]); its stage, test, is one of GitLab\'s default stages and of the root pipeline\'s.',
          'The dev database is a throwaway container next to Atlas in the job\'s Docker; ATLAS_TOKEN is a masked CI/CD variable.',
          ...ATLAS_HCL,
        ].join('\n'),
        documents: [
          {
            'atlas-lint-destructive': {
              stage: 'test',
              // The Atlas image has no shell: the job drives Docker, and the dev database and Atlas run side by side in it.
              ...GITLAB_DOCKER,
              rules: [{ if: '$CI_PIPELINE_SOURCE == "merge_request_event"', changes: ['db/migrations/**/*'] }],
              script: [
                'docker network create lint',
                `docker run --detach --name devdb --network lint ${Object.entries(db.env).map(([k, v]) => `-e ${k}=${v}`).join(' ')} ${db.image}`,
                `until docker exec devdb ${db.readyCommand}; do sleep 2; done`,
                ...runOnCheckout({ name: 'atlas', image: ATLAS_IMAGE, args: lintArgs(db.url('devdb')), flags: '--network lint -e ATLAS_TOKEN', dind: true }),
              ],
            },
          },
        ],
      },
    };
  }
  if (vendor === 'azure_devops') {
    return {
      ...base,
      kb: [...base.kb],
      path: 'pipelines/schema-lint.yml',
      body: {
        format: 'yaml',
        schema: 'azure-pipelines',
        header: ['Azure Pipelines: Atlas lints new migrations on pull requests and fails on destructive changes.', 'The dev database runs in Docker on the agent; ATLAS_TOKEN is a secret variable of the atlas variable group (Key Vault linked).', ...ATLAS_HCL].join('\n'),
        documents: [
          {
            trigger: 'none',
            pr: { branches: { include: ['main'] }, paths: { include: ['db/migrations/*'] } },
            pool: { vmImage: 'ubuntu-24.04' },
            variables: [{ group: 'atlas' }],
            jobs: [
              {
                job: 'atlas_lint_destructive',
                timeoutInMinutes: 15,
                steps: [
                  { checkout: 'self', persistCredentials: false },
                  { script: devDbStart(db), displayName: 'Start the throwaway dev database' },
                  { script: atlasInDocker(db), displayName: 'Lint new migrations (destructive changes fail)', env: { ATLAS_TOKEN: '$(ATLAS_TOKEN)', ATLAS_IMAGE } },
                ],
              },
            ],
          },
        ],
      },
    };
  }
  const other = vendor !== 'github_actions' ? ['CI vendor not known: the job is one command, atlas migrate lint, run the same way in any CI.'] : [];
  return {
    ...base,
    kb: [...base.kb],
    path: '.github/workflows/schema_linter.yml',
    body: {
      format: 'yaml',
      schema: 'github-workflow',
      header: ['GitHub Actions workflow: Atlas lints new migrations and fails on destructive changes.', ...other, 'The dev database is a service container; the Atlas token is an environment secret.', ...ATLAS_HCL].join('\n'),
      documents: [
        {
          name: 'schema-lint',
          on: { pull_request: { paths: ['db/migrations/**'] } },
          permissions: { contents: 'read' },
          jobs: {
            'atlas-lint-destructive': {
              'runs-on': 'ubuntu-24.04',
              // The Atlas token is an environment secret, readable only by jobs of this environment.
              environment: 'schema-lint',
              services: { devdb: { image: db.image, env: db.env, ports: [`${db.port}:${db.port}`] } },
              steps: [
                { uses: pinnedUses('actions/checkout'), with: { 'persist-credentials': false } },
                {
                  name: 'Lint new migrations (destructive changes fail)',
                  // The Atlas image is pinned by digest (arigaio/atlas 1.3.3).
                  env: { ATLAS_TOKEN: '${{ secrets.ATLAS_CLOUD_TOKEN }}', ATLAS_IMAGE },
                  run: atlasInDocker(db),
                },
              ],
            },
          },
        },
      ],
    },
  };
}

/** Starts the dev database on the agent (Azure Pipelines has no service containers on hosted agents). */
function devDbStart(db: ReturnType<typeof devDatabase>): string {
  const env = Object.entries(db.env).map(([k, v]) => `-e ${k}=${v}`).join(' ');
  return `docker run --detach --name devdb ${env} --publish ${db.port}:${db.port} ${db.image}\nuntil docker exec devdb ${db.readyCommand}; do sleep 2; done\n`;
}

/** Lints with the pinned Atlas image (its entrypoint is atlas), on the host network so it reaches the dev database on localhost. */
function atlasInDocker(db: ReturnType<typeof devDatabase>): string {
  return `docker run --rm --network host -e ATLAS_TOKEN -v "\${PWD}:/workspace" -w /workspace "\${ATLAS_IMAGE}" \\\n  ${lintArgs(db.url('localhost'))}\n`;
}

export function stranglerPattern(ctx: ModeContext): ArtifactSpec {
  const rings = ctx.profile.release_policy.ring_model.rings;
  const cohorts = rings.length > 0 ? rings.join(', then ') : 'internal users, then early-access tenants, then everyone';
  return {
    name: 'strangler_pattern.md',
    path: 'docs/architecture/strangler_pattern.md',
    type: 'runbook',
    kb: ['KB_01#Strangler_Fig', 'KB_01#Architecture'],
    body: {
      format: 'markdown',
      doc: {
        title: 'Strangler Fig: Moving a Seam Out of the Monolith',
        intro: 'A routing proxy in front of the monolith sends one seam at a time to a new service; the monolith shrinks until it can be retired. Each step is reversible by routing back. [KBTRACE: KB_01#Strangler_Fig]',
        sections: [
          {
            heading: 'Phases',
            steps: [
              'Identify the seam: a bounded context with its own API paths and tables and few callers (for example everything under /new). Write down its contract and its consumers.',
              'Decouple: build the new service (built once, signed, deployed by GitOps) behind an anti-corruption layer; it owns its data, synced from the monolith by change data capture or dual write until cut-over.',
              'Deploy new service: it receives no user traffic yet; contract tests prove it answers like the monolith for the seam.',
              'Configure the proxy to split traffic: the proxy routes the seam path to new-svc, and the use_new_service flag decides per tenant cohort whether requests go there.',
              `Route traffic progressively: ${cohorts}; watch error rate and latency per cohort and turn the flag off to route back.`,
              'Retire legacy: when the monolith has served no request for the seam for a full release cycle, delete its code path and tables (a contract step).',
            ],
          },
          {
            heading: 'Rollback',
            paragraphs: ['Turn use_new_service off (seconds, no deploy), or revert the ingress route in Git. Data written by the new service must flow back to the monolith until the seam is retired, so routing back loses nothing.'],
          },
          {
            heading: 'Guardrails',
            bullets: ['One seam at a time; no shared database writes between the monolith and the new service without the sync in place.', 'The proxy configuration lives in Git and changes by pull request, never by hand on the cluster.', 'Each seam has its own SLO and dashboards before the first tenant moves.'],
          },
        ],
      },
    },
  };
}

export function ingressRouting(d: ModeContext['delivery']): ArtifactSpec {
  return {
    name: 'ingress_routing.yaml',
    path: 'deploy/strangler/ingress_routing.yaml',
    type: 'template',
    kb: ['KB_01#Strangler_Fig'],
    body: {
      format: 'yaml',
      schema: 'kubernetes',
      header: 'Strangler proxy: the seam path (/new) goes to the new service, everything else to the monolith.\nnetworking.k8s.io/v1 Ingress (backend.service.name/port.number). KB_01#Strangler_Fig',
      documents: [
        {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'Ingress',
          metadata: { name: 'api-strangler', labels: { 'app.kubernetes.io/part-of': 'crm' } },
          spec: {
            ingressClassName: 'nginx',
            rules: [
              {
                host: d.apiHost,
                http: {
                  paths: [
                    { path: '/new', pathType: 'Prefix', backend: { service: { name: 'new-svc', port: { number: 80 } } } },
                    { path: '/', pathType: 'Prefix', backend: { service: { name: 'legacy-monolith', port: { number: 80 } } } },
                  ],
                },
              },
            ],
          },
        },
      ],
    },
  };
}

export function featureFlagMigration(ctx: ModeContext): ArtifactSpec {
  const rings = ctx.profile.release_policy.ring_model.rings;
  const first = rings.length > 0 ? [rings[0] as string] : ['internal'];
  return {
    name: 'feature_flag_migration.yaml',
    path: 'flags/feature_flag_migration.yaml',
    type: 'template',
    kb: ['KB_02#Feature_Flags'],
    body: {
      format: 'yaml',
      schema: 'plain',
      header: 'OpenFeature flagd flag definition: use_new_service routes a tenant cohort to the new service; off by default.\nWidening the rollout is a pull request that adds cohorts; turning it off routes back to the monolith. KB_02#Feature_Flags',
      documents: [
        {
          $schema: 'https://flagd.dev/schema/v0/flags.json',
          flags: {
            use_new_service: {
              state: 'ENABLED',
              variants: { enabled: true, disabled: false },
              defaultVariant: 'disabled',
              targeting: { if: [{ in: [{ var: 'tenant_cohort' }, first] }, 'enabled', 'disabled'] },
            },
          },
        },
      ],
    },
  };
}

/** Why the Kubernetes Ingress of the strangler proxy does not fit, and what routes the seam instead. */
function ingressGap(ctx: ModeContext): string {
  const doubt = vendorInDoubt(ctx, 'orchestrator');
  if (doubt) return inDoubtReason(doubt);
  return `the strangler proxy is a Kubernetes Ingress and the orchestrator is ${ctx.profile.infra.orchestrator}; route the seam path (/new) to the new service with a path rule on your load balancer or API gateway, kept in Git like the rest`;
}

export function migrationArtifacts(ctx: ModeContext, decided: Decided): ArtifactOutcome[] {
  if (decided.get('migration_plan.approach') === 'strangler_fig') {
    return [stranglerPattern(ctx), runsKubernetes(ctx) ? ingressRouting(ctx.delivery) : notGenerated('ingress_routing.yaml', ingressGap(ctx)), featureFlagMigration(ctx)];
  }
  const out: ArtifactOutcome[] = [];
  const postgres = ctx.profile.data.store_family === 'postgres' || ctx.profile.data.store_family === 'unknown';
  if (postgres) out.push(migrationScript(), migrationContract());
  out.push(rollbackPlan(ctx, decided));
  if (decided.get('migration_plan.schema_linter') === 'atlas') out.push(schemaLinter(ctx));
  return out;
}
