import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { contextFor, createContainer, engineFrom, rendererModule, runMode, type ArtifactSpec, type DeliverySystem, type PlannedFile } from '@ringmaster/core';
import { FileRenderer, validateArtifact } from '@ringmaster/renderer';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { gitopsMode, gitopsModule, scriptedDeploy } from '../src/index.js';
import { fakeTools } from './fake-tools.js';

type P = Record<string, unknown>;

/** Two services whose image names differ from their service names, on two clusters. */
const twoServices: P = {
  goal: 'GitOps for the API and the web front end',
  cd_strategy: 'gitops',
  gitops_tool: 'argocd',
  infra: { orchestrator: 'kubernetes', cloud_provider: 'aws' },
  delivery: {
    organization: 'acme-crm',
    config_repository: 'acme-crm/crm-deploy',
    registry: 'ghcr.io/acme-crm',
    services: [
      { name: 'crm-api', port: 8080, health_path: '/healthz', image: 'api/server' },
      { name: 'crm-web', port: 3000, health_path: '/ready', image: 'web/frontend' },
    ],
    environments: [
      { name: 'staging', cluster: 'stage-eu', cluster_server: 'https://stage-eu.k8s.acme-crm.internal' },
      { name: 'production', cluster: 'prod-eu', cluster_server: 'https://prod-eu.k8s.acme-crm.internal' },
    ],
  },
};
const flux: P = { ...twoServices, gitops_tool: 'flux' };
const push: P = { ...twoServices, cd_strategy: 'push' };
const onNomad: P = { ...twoServices, infra: { orchestrator: 'nomad', cloud_provider: 'aws' } };
const oneService: P = { goal: 'GitOps', cd_strategy: 'gitops', gitops_tool: 'argocd', infra: { orchestrator: 'kubernetes' } };

const delivery = (p: P): DeliverySystem => contextFor(p, [], 'gitops').delivery;
const artifacts = (p: P): readonly ArtifactSpec[] => runMode(gitopsMode, p).artifacts;
/** Every `[service, target]` pair of a plan. */
const pairs = (d: DeliverySystem): [DeliverySystem['services'][number], string][] => d.services.flatMap((s) => d.targets.map((t): [typeof s, string] => [s, t.name]));

type K8sDoc = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; spec: Record<string, unknown> };
/** The objects of a kind (`Application`, `Kustomization`) of an API group (`argoproj.io`, `kustomize.toolkit.fluxcd.io`) in a plan, with their files. */
const documentsOf = (p: P, group: string, kind: string): { file: ArtifactSpec; doc: K8sDoc }[] =>
  artifacts(p).flatMap((file) => (file.body.format === 'yaml' ? (file.body.documents as K8sDoc[]).filter((doc) => doc.kind === kind && doc.apiVersion.startsWith(`${group}/`)).map((doc) => ({ file, doc })) : []));

/** The engine with this mode alone and the real file renderer. */
const engine = engineFrom(createContainer([gitopsModule, rendererModule(new FileRenderer())]));

const scratch = mkdtempSync(join(tmpdir(), 'rm-gitops-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let folders = 0;
const folder = (name: string): string => {
  const dir = join(scratch, `${folders++}-${name}`);
  mkdirSync(dir, { recursive: true });
  return dir;
};

/** The plan's files as the engine writes them (the kustomize bases linked), in a fresh folder. */
function planInto(p: P, name: string): { out: string; files: PlannedFile[] } {
  const files = engine.plan(structuredClone(p)).files;
  const out = folder(name);
  for (const f of files) {
    mkdirSync(dirname(join(out, f.path)), { recursive: true });
    writeFileSync(join(out, f.path), f.content);
  }
  return { out, files };
}

function run(command: string, args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function git(cwd: string, ...args: string[]): void {
  const r = run('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.invalid', '-c', 'init.defaultBranch=main', ...args], { cwd });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
}

/** A config repository on the local file system holding `files`, committed on main; returns its file:// URL. */
function configRepo(files: Record<string, string>): string {
  const dir = folder('config-repo');
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  git(dir, 'init', '--quiet');
  git(dir, 'add', '-A');
  git(dir, 'commit', '--quiet', '-m', 'promote');
  return `file://${dir}`;
}

const digestOf = (c: string): string => `sha256:${c.repeat(64)}`;

describe('two services: one base, overlays and sync objects per service', () => {
  const d = delivery(twoServices);

  it('the model has both services, each with its own image', () => {
    expect(d.services.map((s) => [s.name, s.image])).toEqual([
      ['crm-api', 'ghcr.io/acme-crm/api/server'],
      ['crm-web', 'ghcr.io/acme-crm/web/frontend'],
    ]);
  });

  it.each([
    ['argocd', twoServices],
    ['flux', flux],
    ['push', push],
    ['nomad', onNomad],
  ])('%s: artifact names and paths are unique', (_, p) => {
    const specs = artifacts(p);
    expect(new Set(specs.map((a) => a.name)).size).toBe(specs.length);
    expect(new Set(specs.map((a) => a.path)).size).toBe(specs.length);
  });

  it('each service has its base workload named after it, with its port, health path and image', () => {
    for (const service of d.services) {
      const spec = artifacts(twoServices).find((a) => a.path === `gitops-config/${d.gitops.basePath(service.name)}/workload.yaml`);
      expect(spec?.name).toBe(`sync_wave_annotation_${service.name}.yaml`);
      const docs = (spec?.body as unknown as { documents: K8sDoc[] }).documents;
      expect(docs.map((x) => `${x.kind}/${x.metadata.name}`)).toEqual([`ConfigMap/${service.name}-config`, `Deployment/${service.name}`, `Service/${service.name}`]);
      const text = JSON.stringify(docs);
      expect(text).toContain(`"image":"${service.image}@${d.unpromotedDigest}"`);
      expect(text).toContain(`"containerPort":${service.port}`);
      expect(text).toContain(`"path":"${service.healthPath}"`);
    }
  });

  it('Argo CD: one Application per service and target, syncing exactly that overlay into the service namespace, names unique', () => {
    const apps = documentsOf(twoServices, 'argoproj.io', 'Application');
    expect(apps.map(({ doc }) => (doc.spec['source'] as { path: string }).path).sort()).toEqual(pairs(d).map(([s, t]) => d.gitops.overlayPath(s.name, t)).sort());
    expect(new Set(apps.map(({ doc }) => doc.metadata.name)).size).toBe(apps.length);
    for (const { file, doc } of apps) {
      const service = d.services.find((s) => (doc.spec['source'] as { path: string }).path.startsWith(`apps/${s.name}/`));
      expect(file.path).toBe(`gitops-config/argocd/${service?.name}.yaml`);
      expect(doc.spec['destination']).toMatchObject({ namespace: service?.namespace });
      expect(doc.spec['project']).toBe(service?.name);
    }
    expect(documentsOf(twoServices, 'argoproj.io', 'AppProject').map(({ doc }) => doc.metadata.name)).toEqual(['crm-api', 'crm-web']);
  });

  it('Flux: one Kustomization per service and target on the target cluster, syncing exactly that overlay, names unique', () => {
    const kustomizations = documentsOf(flux, 'kustomize.toolkit.fluxcd.io', 'Kustomization');
    expect(kustomizations.map(({ doc }) => doc.spec['path']).sort()).toEqual(pairs(d).map(([s, t]) => `./${d.gitops.overlayPath(s.name, t)}`).sort());
    expect(new Set(kustomizations.map(({ doc }) => doc.metadata.name)).size).toBe(kustomizations.length);
    // One read secret for the one config repository, whatever the number of services on a cluster.
    expect(new Set(documentsOf(flux, 'source.toolkit.fluxcd.io', 'GitRepository').map(({ doc }) => JSON.stringify(doc.spec['secretRef'])))).toEqual(new Set(['{"name":"config-repo-auth"}']));
    for (const { file, doc } of kustomizations) {
      const [service, target] = pairs(d).find(([s, t]) => doc.spec['path'] === `./${d.gitops.overlayPath(s.name, t)}`) ?? [];
      const cluster = d.targets.find((t) => t.name === target)?.cluster;
      expect(file.path).toBe(`gitops-config/clusters/${cluster}/${service?.name}.yaml`);
      expect(doc.spec['sourceRef']).toEqual({ kind: 'GitRepository', name: `${service?.name}-config` });
      // kustomize-controller does not create the namespace the overlay puts everything in: the cluster file does.
      expect((file.body as unknown as { documents: unknown[] }).documents).toContainEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: service?.namespace } });
    }
  });

  it('kubectl kustomize builds every overlay: the service namespace and its image at the digest promotion edits, nothing of the other service', () => {
    const { out } = planInto(twoServices, 'argocd');
    for (const [service, target] of pairs(d)) {
      const built = run('kubectl', ['kustomize', join(out, 'gitops-config', d.gitops.overlayPath(service.name, target))]);
      expect(built.stderr).toBe('');
      expect(built.status).toBe(0);
      expect(built.stdout).toContain(`image: ${service.image}@${d.unpromotedDigest}`);
      expect(built.stdout).toContain(`  name: ${service.name}\n  namespace: ${service.namespace}\n`);
      expect(built.stdout).toContain(`ringmaster.dev/target: ${target}`);
      const other = d.services.find((s) => s !== service);
      expect(built.stdout).not.toContain(other?.image);
      expect(built.stdout).not.toContain(`namespace: ${other?.namespace}`);
    }
  }, 120_000);

  it('Flux: each cluster folder builds as one kustomization (what flux bootstrap applies): no two services declare the same object', () => {
    const { out } = planInto(flux, 'flux');
    for (const cluster of new Set(d.targets.map((t) => t.cluster))) {
      const dir = join(out, 'gitops-config/clusters', cluster);
      const files = d.services.map((s) => `${s.name}.yaml`);
      writeFileSync(join(dir, 'kustomization.yaml'), `resources:\n${files.map((f) => `  - ${f}\n`).join('')}`);
      const built = run('kubectl', ['kustomize', dir]);
      expect(built.stderr).toBe('');
      expect(built.status).toBe(0);
      for (const s of d.services) {
        expect(built.stdout).toContain(`kind: Namespace\nmetadata:\n  name: ${s.namespace}\n`);
        expect(built.stdout).toContain(`name: ${s.name}-config\n`);
      }
    }
  }, 120_000);

  it.each([
    ['argocd', twoServices],
    ['flux', flux],
    ['push', push],
    ['nomad', onNomad],
    ['one service, push', { ...oneService, cd_strategy: 'push' }],
    ['one service, vm', { ...oneService, infra: { orchestrator: 'vm', cloud_provider: 'gcp' } }],
  ])('%s: every file passes its validator (schemas, shellcheck, bash -n)', async (_, p) => {
    const renderer = new FileRenderer();
    for (const spec of artifacts(p)) {
      const issues = (await validateArtifact(spec, renderer.render(spec))).filter((i) => i.severity === 'error');
      expect(issues, spec.name).toEqual([]);
    }
  }, 120_000);
});

describe('any services and targets (property)', () => {
  const label = fc.stringMatching(/^[a-z][a-z0-9]{0,5}(-[a-z0-9]{1,4})?$/);
  // Target names without '-', '_' or '.': `<service>-<target>` then splits at its last dash, so distinct pairs get distinct names.
  const plans = fc.record({
    services: fc.uniqueArray(label, { minLength: 1, maxLength: 4 }),
    targets: fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/), { minLength: 1, maxLength: 3 }),
    tool: fc.constantFrom('argocd', 'flux'),
  });

  it('every overlay is synced exactly once, pins its own service image, and names are unique', () => {
    fc.assert(
      fc.property(plans, ({ services, targets, tool }) => {
        const p: P = {
          ...twoServices,
          gitops_tool: tool,
          delivery: { services: services.map((name) => ({ name })), environments: targets.map((name) => ({ name, cluster: `c-${name}` })) },
        };
        const d = delivery(p);
        const specs = artifacts(p);
        expect(new Set(specs.map((a) => a.name)).size).toBe(specs.length);
        expect(new Set(specs.map((a) => a.path)).size).toBe(specs.length);
        const sync = tool === 'flux' ? documentsOf(p, 'kustomize.toolkit.fluxcd.io', 'Kustomization') : documentsOf(p, 'argoproj.io', 'Application');
        const synced = sync.map(({ doc }) => String(tool === 'flux' ? doc.spec['path'] : (doc.spec['source'] as { path: string }).path).replace(/^\.\//, ''));
        expect(synced.sort()).toEqual(pairs(d).map(([s, t]) => d.gitops.overlayPath(s.name, t)).sort());
        expect(new Set(sync.map(({ doc }) => doc.metadata.name)).size).toBe(sync.length);
        for (const [service, target] of pairs(d)) {
          const overlay = specs.find((a) => a.path === `gitops-config/${d.gitops.promotionFile(service.name, target)}`);
          expect((overlay?.body as unknown as { documents: { images: unknown }[] }).documents[0]?.images).toEqual([{ name: service.image, digest: d.unpromotedDigest }]);
        }
      }),
      { numRuns: 25 },
    );
  });
});

describe('scripted deploy of every service of a target', () => {
  const d = delivery(push);
  const refOf = (i: number): string => `${d.services[i]?.image}@${digestOf(i === 0 ? 'a' : 'b')}`;

  /** The plan's config repository with the production overlay of each of `promoted` (service indexes) pinned to its own digest. */
  function promotedConfigRepo(files: PlannedFile[], promoted: readonly number[] = [0, 1]): string {
    const content = Object.fromEntries(files.filter((f) => f.path.startsWith('gitops-config/')).map((f) => [f.path.slice('gitops-config/'.length), f.content]));
    for (const i of promoted) {
      const overlay = d.gitops.promotionFile(d.services[i]?.name ?? '', 'production');
      content[overlay] = (content[overlay] ?? '').replace(d.unpromotedDigest, digestOf(i === 0 ? 'a' : 'b'));
    }
    return configRepo(content);
  }

  it('Kubernetes without an operator: verifies both digests, then applies both overlays server-side at those digests', () => {
    const { out, files } = planInto(push, 'push');
    const tools = fakeTools(folder('bin'));
    d.services.forEach((_, i) => tools.sign(refOf(i)));
    const r = run('bash', [join(out, 'scripts/scripted_deploy.sh'), 'production'], { env: { PATH: `${tools.bin}:${process.env['PATH']}`, CONFIG_REPO_URL: promotedConfigRepo(files) } });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(tools.calls('cosign').map((c) => c.split(' ').at(-1))).toEqual([refOf(0), refOf(1)]);
    const applied = tools.applied();
    d.services.forEach((s, i) => {
      expect(applied).toContain(`image: ${refOf(i)}`);
      expect(applied).toContain(`kind: Namespace\nmetadata:\n  name: ${s.namespace}\n`);
      expect(tools.calls('kubectl')).toContain(`rollout status deployment/${s.name} -n ${s.namespace} --timeout=10m`);
      expect(r.stdout).toContain(`deployed ${refOf(i)} to production`);
    });
    expect(applied).not.toContain(d.unpromotedDigest);
    expect(tools.calls('kubectl').filter((c) => /^apply --server-side .*-f \S+\.manifests\.yaml$/.test(c))).toHaveLength(2);
  }, 120_000);

  it('one service whose signature does not verify: nothing is applied, not even the verified one', () => {
    const { out, files } = planInto(push, 'push-unsigned');
    const tools = fakeTools(folder('bin'));
    tools.sign(refOf(0));
    const r = run('bash', [join(out, 'scripts/scripted_deploy.sh'), 'production'], { env: { PATH: `${tools.bin}:${process.env['PATH']}`, CONFIG_REPO_URL: promotedConfigRepo(files) } });
    expect(r.status).not.toBe(0);
    expect(tools.calls('cosign').map((c) => c.split(' ').at(-1))).toEqual([refOf(0), refOf(1)]);
    expect(tools.calls('kubectl')).toEqual([]);
  }, 120_000);

  it('a service never promoted to the target: refused by name, nothing applied', () => {
    const { out, files } = planInto(push, 'push-unpromoted');
    const tools = fakeTools(folder('bin'));
    d.services.forEach((_, i) => tools.sign(refOf(i)));
    const r = run('bash', [join(out, 'scripts/scripted_deploy.sh'), 'production'], { env: { PATH: `${tools.bin}:${process.env['PATH']}`, CONFIG_REPO_URL: promotedConfigRepo(files, [0]) } });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe('refusing: nothing promoted for crm-web to production (its overlay still pins the unpromoted digest)');
    expect(tools.calls('kubectl')).toEqual([]);
  }, 120_000);

  it('outside Kubernetes: each service image file of the target is verified, then each is deployed with its own digest', () => {
    const nomad = delivery(onNomad);
    const { out } = planInto(onNomad, 'nomad');
    const tools = fakeTools(folder('bin'));
    const images = Object.fromEntries(nomad.services.map((s, i) => [nomad.gitops.imageFile(s.name, 'production'), `${refOf(i)}\n`]));
    d.services.forEach((_, i) => tools.sign(refOf(i)));
    const env = { PATH: `${tools.bin}:${process.env['PATH']}`, CONFIG_REPO_URL: configRepo(images) };
    const r = run('bash', [join(out, 'scripts/scripted_deploy.sh'), 'production'], { env });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(tools.calls('cosign').map((c) => c.split(' ').at(-1))).toEqual([refOf(0), refOf(1)]);
    expect(tools.calls('nomad').map((c) => c.replace(/\/\S+\/config\//, 'CONFIG/'))).toEqual(nomad.services.map((s, i) => `job run -var image=${refOf(i)} CONFIG/deploy/${s.name}.nomad.hcl`));

    // The web image file names the API's image: refused before anything is deployed.
    const swapped = { ...images, [nomad.gitops.imageFile('crm-web', 'production')]: `${refOf(0)}\n` };
    const refused = fakeTools(folder('bin'));
    d.services.forEach((_, i) => refused.sign(refOf(i)));
    const bad = run('bash', [join(out, 'scripts/scripted_deploy.sh'), 'production'], { env: { ...env, PATH: `${refused.bin}:${process.env['PATH']}`, CONFIG_REPO_URL: configRepo(swapped) } });
    expect(bad.status).toBe(1);
    const [api, web] = nomad.services;
    expect(bad.stderr).toContain(`for crm-web: expected ${web?.image}@sha256:<digest>`);
    expect(refused.calls('nomad')).toEqual([]);

    // Nothing promoted yet for the web front end: refused, naming the file.
    const { [nomad.gitops.imageFile('crm-web', 'production')]: _web, ...apiOnly } = images;
    const missing = run('bash', [join(out, 'scripts/scripted_deploy.sh'), 'production'], { env: { ...env, PATH: `${refused.bin}:${process.env['PATH']}`, CONFIG_REPO_URL: configRepo(apiOnly) } });
    expect(missing.status).toBe(1);
    expect(missing.stderr.trim()).toBe('refusing: nothing promoted for crm-web to production (releases/production/crm-web.image is missing in the config repo)');
    expect(refused.calls('nomad')).toEqual([]);
    expect(readFileSync(join(out, 'scripts/scripted_deploy.sh'), 'utf8')).toContain(`readonly SERVICES='crm-api ${api.image}\ncrm-web ${web?.image}'`);
  }, 120_000);

  it('a service field with whitespace (which the profile schema already refuses) never reaches the SERVICES table', () => {
    const ctx = contextFor(push, [], 'gitops');
    const [api, web] = ctx.delivery.services;
    const spaced = { ...ctx, delivery: { ...ctx.delivery, services: [api, { ...web, image: 'ghcr.io/acme crm/web' }] as DeliverySystem['services'] } };
    expect(() => scriptedDeploy(spaced)).toThrow('service field "ghcr.io/acme crm/web" holds whitespace');
  });

  it('an unknown target is refused with exit 2', () => {
    const { out } = planInto(push, 'push-target');
    const r = run('bash', [join(out, 'scripts/scripted_deploy.sh'), 'qa']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('unknown target qa');
  });
});

describe('one service: names and paths as before', () => {
  it.each([
    [oneService, ['argocd_app.yaml', 'gitops-config/argocd/crm-api.yaml']],
    [{ ...oneService, gitops_tool: 'flux' }, ['flux_kustomization.yaml', 'gitops-config/clusters/staging/crm-api.yaml'], ['flux_kustomization_production.yaml', 'gitops-config/clusters/production/crm-api.yaml']],
  ] as [P, ...[string, string][]][])('%#', (p, ...expected) => {
    const byName = new Map(artifacts(p).map((a) => [a.name, a.path]));
    for (const [name, path] of [
      ...expected,
      ['sync_wave_annotation.yaml', 'gitops-config/apps/crm-api/base/workload.yaml'],
      ['overlay_staging_kustomization.yaml', 'gitops-config/apps/crm-api/overlays/staging/kustomization.yaml'],
      ['overlay_production_kustomization.yaml', 'gitops-config/apps/crm-api/overlays/production/kustomization.yaml'],
    ]) {
      expect(byName.get(name as string)).toBe(path);
    }
    const syncNames = [...documentsOf(p, 'argoproj.io', 'Application'), ...documentsOf(p, 'kustomize.toolkit.fluxcd.io', 'Kustomization')].map(({ doc }) => doc.metadata.name);
    expect(syncNames).toEqual(['crm-api-staging', 'crm-api-production']);
  });
});
