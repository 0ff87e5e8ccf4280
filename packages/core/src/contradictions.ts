import type { Cloud, NormalizedProfile, Orchestrator } from './profile.js';

/** The vendor choices a contradiction can put in doubt. */
export type VendorFacet = 'cloud' | 'orchestrator';

/** Two profile fields that cannot both be true; asked as a question, never guessed (spec section 4). */
export interface Contradiction {
  id: string;
  /** JSON pointers of the fields that disagree. */
  fields: readonly string[];
  /** The vendor choices nobody may generate files for until the user answers. */
  facets: readonly VendorFacet[];
  question: string;
}

/** A value in a profile field that only exists on some clouds or orchestrators. */
interface VendorHint {
  id: string;
  field: '/infra/orchestrator' | '/stack/runtime' | '/data/primary_store';
  pattern: RegExp;
  label: string;
  clouds?: readonly Cloud[];
  orchestrators?: readonly Orchestrator[];
}

/**
 * What each product implies. ECS also runs on-prem (ECS Anywhere), so only GCP and Azure contradict it.
 * Matching is on words of the lower-cased value, so `aks` does not match `oaks`.
 */
const VENDOR_HINTS: readonly VendorHint[] = [
  { id: 'ecs', field: '/infra/orchestrator', pattern: /^ecs$/, label: 'orchestrator ecs (Amazon ECS)', clouds: ['aws', 'on_prem'] },
  { id: 'eks', field: '/stack/runtime', pattern: /\beks\b/, label: 'runtime EKS', clouds: ['aws'], orchestrators: ['kubernetes'] },
  { id: 'fargate', field: '/stack/runtime', pattern: /\bfargate\b/, label: 'runtime Fargate', clouds: ['aws'], orchestrators: ['ecs', 'kubernetes', 'serverless'] },
  { id: 'lambda', field: '/stack/runtime', pattern: /\b(aws )?lambda\b/, label: 'runtime AWS Lambda', clouds: ['aws'], orchestrators: ['serverless'] },
  { id: 'gke', field: '/stack/runtime', pattern: /\bgke\b/, label: 'runtime GKE', clouds: ['gcp'], orchestrators: ['kubernetes'] },
  { id: 'cloud_run', field: '/stack/runtime', pattern: /\bcloud[ _-]?run\b/, label: 'runtime Cloud Run', clouds: ['gcp'], orchestrators: ['serverless'] },
  { id: 'cloud_functions', field: '/stack/runtime', pattern: /\b(google )?cloud[ _-]?functions?\b/, label: 'runtime Cloud Functions', clouds: ['gcp'], orchestrators: ['serverless'] },
  { id: 'aks', field: '/stack/runtime', pattern: /\baks\b/, label: 'runtime AKS', clouds: ['azure'], orchestrators: ['kubernetes'] },
  { id: 'azure_functions', field: '/stack/runtime', pattern: /\bazure[ _-]?functions?\b/, label: 'runtime Azure Functions', clouds: ['azure'], orchestrators: ['serverless'] },
  { id: 'container_apps', field: '/stack/runtime', pattern: /\bcontainer[ _-]?apps?\b/, label: 'runtime Azure Container Apps', clouds: ['azure'], orchestrators: ['serverless'] },
  { id: 'aurora', field: '/data/primary_store', pattern: /\baurora/, label: 'primary store Aurora', clouds: ['aws'] },
  { id: 'dynamodb', field: '/data/primary_store', pattern: /\bdynamo/, label: 'primary store DynamoDB', clouds: ['aws'] },
  { id: 'cloud_sql', field: '/data/primary_store', pattern: /\b(cloud[ _-]?sql|spanner|alloydb|firestore|bigtable)\b/, label: 'a Google Cloud database', clouds: ['gcp'] },
  { id: 'azure_sql', field: '/data/primary_store', pattern: /\b(azure[ _-]?sql|cosmos[ _-]?db|cosmos)\b/, label: 'an Azure database', clouds: ['azure'] },
];

function valueOf(profile: NormalizedProfile, field: VendorHint['field']): string {
  const raw = field === '/infra/orchestrator' ? profile.infra.orchestrator : field === '/stack/runtime' ? profile.stack.runtime : profile.data.primary_store;
  return raw.toLowerCase();
}

const or = (items: readonly string[]): string => items.join(' or ');

/**
 * Contradictions between the profile's cloud, orchestrator, runtime and store, in table order.
 * Pure and deterministic; an unknown cloud or orchestrator contradicts nothing.
 */
export function profileContradictions(profile: NormalizedProfile): Contradiction[] {
  const cloud = profile.infra.cloud_provider;
  const orchestrator = profile.infra.orchestrator;
  const hits = VENDOR_HINTS.filter((h) => valueOf(profile, h.field) !== 'unknown' && h.pattern.test(valueOf(profile, h.field)));
  const out: Contradiction[] = [];
  for (const hint of hits) {
    if (hint.clouds && cloud !== 'unknown' && !hint.clouds.includes(cloud)) {
      out.push({
        id: `${hint.id}-on-${cloud}`,
        fields: ['/infra/cloud_provider', hint.field],
        facets: hint.field === '/infra/orchestrator' ? ['cloud', 'orchestrator'] : ['cloud'],
        question: `${hint.field} and /infra/cloud_provider contradict each other: ${hint.label} runs on ${or(hint.clouds)}, but the cloud is ${cloud}. Which is right? No ${cloud}-specific or ${hint.id}-specific file was generated until you answer.`,
      });
    }
    if (hint.orchestrators && orchestrator !== 'unknown' && !hint.orchestrators.includes(orchestrator)) {
      out.push({
        id: `${hint.id}-with-${orchestrator}`,
        fields: ['/infra/orchestrator', hint.field],
        facets: ['orchestrator'],
        question: `${hint.field} and /infra/orchestrator contradict each other: ${hint.label} means ${or(hint.orchestrators)}, but the orchestrator is ${orchestrator}. Which is right? No orchestrator-specific file was generated until you answer.`,
      });
    }
  }
  // Two products of different clouds (e.g. Aurora with GKE) contradict each other even when the cloud is not given.
  for (let i = 0; i < hits.length; i++) {
    for (const other of hits.slice(i + 1)) {
      const a = hits[i] as VendorHint;
      if (a.clouds && other.clouds && !a.clouds.some((c) => other.clouds?.includes(c))) {
        out.push({
          id: `${a.id}-with-${other.id}`,
          fields: [a.field, other.field],
          facets: ['cloud'],
          question: `${a.field} and ${other.field} contradict each other: ${a.label} runs on ${or(a.clouds)}, ${other.label} on ${or(other.clouds)}. Which cloud is it? No cloud-specific file was generated until you answer.`,
        });
      }
    }
  }
  return out;
}
