import { describe, expect, it } from 'vitest';
import { contextFor } from '../src/mode-tester.js';
import { profileContradictions } from '../src/contradictions.js';

const profile = (infra: Record<string, unknown>, extra: Record<string, unknown> = {}) => contextFor({ goal: 'Blueprint', infra, ...extra }).profile;

describe('contradictory profiles', () => {
  it.each([
    { name: 'ECS on GCP', p: profile({ cloud_provider: 'gcp', orchestrator: 'ecs' }), ids: ['ecs-on-gcp'], facets: ['cloud', 'orchestrator'] },
    { name: 'ECS on Azure', p: profile({ cloud_provider: 'azure', orchestrator: 'ecs' }), ids: ['ecs-on-azure'], facets: ['cloud', 'orchestrator'] },
    { name: 'Cloud Run on AWS', p: profile({ cloud_provider: 'aws', orchestrator: 'serverless' }, { stack: { runtime: 'Cloud Run' } }), ids: ['cloud_run-on-aws'], facets: ['cloud'] },
    { name: 'AKS on AWS', p: profile({ cloud_provider: 'aws', orchestrator: 'kubernetes' }, { stack: { runtime: 'aks' } }), ids: ['aks-on-aws'], facets: ['cloud'] },
    { name: 'Lambda on Kubernetes', p: profile({ cloud_provider: 'aws', orchestrator: 'kubernetes' }, { stack: { runtime: 'lambda' } }), ids: ['lambda-with-kubernetes'], facets: ['orchestrator'] },
    { name: 'Aurora on GCP', p: profile({ cloud_provider: 'gcp' }, { data: { primary_store: 'Aurora PostgreSQL' } }), ids: ['aurora-on-gcp'], facets: ['cloud'] },
    { name: 'Aurora with GKE, cloud not given', p: profile({}, { data: { primary_store: 'aurora' }, stack: { runtime: 'gke' } }), ids: ['gke-with-aurora'], facets: ['cloud'] },
  ])('$name is asked about', ({ p, ids, facets }) => {
    const found = profileContradictions(p);
    expect(found.map((c) => c.id)).toEqual(ids);
    expect(found[0]?.facets).toEqual(facets);
    expect(found[0]?.question).toMatch(/contradict/);
    expect(found[0]?.fields.every((f) => f.startsWith('/'))).toBe(true);
  });

  it.each([
    { name: 'ECS on AWS', p: profile({ cloud_provider: 'aws', orchestrator: 'ecs' }) },
    { name: 'ECS Anywhere on-prem', p: profile({ cloud_provider: 'on_prem', orchestrator: 'ecs' }) },
    { name: 'ECS, cloud unknown', p: profile({ orchestrator: 'ecs' }) },
    { name: 'GKE on GCP', p: profile({ cloud_provider: 'gcp', orchestrator: 'kubernetes' }, { stack: { runtime: 'GKE 1.30' } }) },
    { name: 'a JVM runtime', p: profile({ cloud_provider: 'azure', orchestrator: 'vm' }, { stack: { runtime: 'jvm' } }) },
    { name: 'a word that contains aks', p: profile({ cloud_provider: 'aws' }, { stack: { runtime: 'oaks-runtime' } }) },
    { name: 'Postgres anywhere', p: profile({ cloud_provider: 'azure' }, { data: { primary_store: 'postgres' } }) },
  ])('$name is not a contradiction', ({ p }) => {
    expect(profileContradictions(p)).toEqual([]);
  });

  it('the context carries them to the modes', () => {
    expect(contextFor({ goal: 'Blueprint', infra: { cloud_provider: 'gcp', orchestrator: 'ecs' } }).contradictions?.map((c) => c.id)).toEqual(['ecs-on-gcp']);
  });
});
