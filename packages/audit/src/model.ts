import { isMap, isNode, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node, type Pair, type Scalar, type YAMLMap } from 'yaml';
import type { Loc } from './types.js';

export type CiKind = 'github-workflow' | 'github-action' | 'gitlab-ci';

/** The file each parsed node came from, so that a node merged in from an included file is located in that file. */
const OWNER = new WeakMap<object, SourceFile>();

/** The file a node was parsed from, when it was parsed by a SourceFile. */
export function fileOf(node: unknown): SourceFile | undefined {
  return node && typeof node === 'object' ? OWNER.get(node) : undefined;
}

/** One parsed CI file: its text, its YAML document and a way from offsets to positions. */
export class SourceFile {
  readonly doc: Document.Parsed;
  readonly lines: LineCounter;

  constructor(
    /** Relative to the audited folder, posix separators. */
    readonly path: string,
    readonly text: string,
    readonly kind: CiKind,
  ) {
    this.lines = new LineCounter();
    this.doc = parseDocument(text, { lineCounter: this.lines, keepSourceTokens: false, uniqueKeys: false });
    visit(this.doc, (_key, node) => {
      if (isNode(node) || isPair(node)) OWNER.set(node, this);
    });
  }

  locAt(offset: number): Loc {
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }

  /** Where a node starts; for a pair, where its key starts. */
  loc(node: Node | Pair | null | undefined): Loc {
    if (!node) return { line: 1, column: 1 };
    const owner = fileOf(node);
    if (owner && owner !== this) return { ...owner.loc(node), file: owner.path };
    if (isPair(node)) return this.loc(node.key as Node);
    const range = (node as Node).range;
    return range ? this.locAt(range[0]) : { line: 1, column: 1 };
  }

  /**
   * Where `needle` first appears in the source of a scalar node (a block scalar's
   * body, a quoted string): the exact column of an expression or a command inside
   * a `run:` script. Falls back to the node's start.
   */
  locIn(node: Scalar, needle: string, from = 0): Loc {
    const owner = fileOf(node);
    if (owner && owner !== this) return { ...owner.locIn(node, needle, from), file: owner.path };
    const range = node.range;
    if (!range) return { line: 1, column: 1 };
    const source = this.text.slice(range[0], range[1]);
    let at = -1;
    let seen = 0;
    let pos = 0;
    // the n-th occurrence in the value is usually the n-th in the source
    const before = typeof node.value === 'string' ? countOccurrences(node.value.slice(0, from), needle) : 0;
    while ((at = source.indexOf(needle, pos)) !== -1) {
      if (seen === before) return this.locAt(range[0] + at);
      seen += 1;
      pos = at + 1;
    }
    const first = source.indexOf(needle);
    return this.locAt(range[0] + (first === -1 ? 0 : first));
  }
}

function countOccurrences(text: string, needle: string): number {
  let n = 0;
  let pos = 0;
  while ((pos = text.indexOf(needle, pos)) !== -1) {
    n += 1;
    pos += 1;
  }
  return n;
}

/** A scalar value with its node, so that a rule can point at it. */
export interface Str {
  value: string;
  node: Scalar;
}

export interface Entry {
  key: string;
  keyNode: Scalar;
  /** The value when it is a scalar. */
  value?: Str;
  valueNode: Node | null;
}

export interface Step {
  index: number;
  node: YAMLMap | Scalar;
  /** `id:`, which `steps.<id>.outputs` refers to. */
  id?: string;
  name?: string;
  uses?: Str;
  /** A run script; on GitLab one script line. */
  run?: Str;
  with: Entry[];
  env: Entry[];
}

export interface Permissions {
  pairNode: Pair;
  /** `write-all`, `read-all` or `{}`. */
  shorthand?: Str;
  scopes: Entry[];
}

export interface Job {
  id: string;
  keyNode: Scalar;
  node: YAMLMap | null;
  /** Labels from `runs-on` (GitHub) or `tags` (GitLab). */
  runsOn: Str[];
  runsOnNode: Node | null;
  permissions?: Permissions;
  environment?: Str;
  steps: Step[];
  /** A reusable-workflow call: `jobs.<id>.uses`. */
  uses?: Str;
  with: Entry[];
  secrets?: Str;
  secretsEntries: Entry[];
  env: Entry[];
  needs: string[];
  images: Str[];
  /** `container.credentials` / `services.*.credentials` entries and GitLab `services` etc. */
  credentials: Entry[];
  /** GitLab `cache:` key node (caches restored into the job). */
  cache?: Node;
  /** GitLab `when: manual`. */
  manual?: Str;
}

export interface Pipeline {
  file: SourceFile;
  kind: CiKind;
  /** Trigger names (`on:`), with the node that names each one. */
  triggers: Map<string, Scalar>;
  onKey?: Scalar;
  permissions?: Permissions;
  env: Entry[];
  jobs: Job[];
  /** Every scalar in the file whose value contains `${{`, for expression rules. */
  expressions: Str[];
  /**
   * Files merged into this pipeline (GitLab `include: local`), in include order. Their jobs,
   * variables and defaults are part of `jobs`/`env`; their nodes are located in their own file.
   */
  includes: SourceFile[];
}

const str = (node: unknown): Str | undefined =>
  isScalar(node) && node.value !== null && node.value !== undefined && typeof node.value !== 'object'
    ? { value: String(node.value), node }
    : undefined;

export function get(map: unknown, key: string): Node | null {
  if (!isMap(map)) return null;
  for (const pair of map.items) {
    if (isScalar(pair.key) && pair.key.value === key) return (pair.value as Node | null) ?? null;
  }
  return null;
}

export function getPair(map: unknown, key: string): Pair | undefined {
  if (!isMap(map)) return undefined;
  return map.items.find((pair) => isScalar(pair.key) && pair.key.value === key) as Pair | undefined;
}

export function entries(map: unknown): Entry[] {
  if (!isMap(map)) return [];
  const out: Entry[] = [];
  for (const pair of map.items) {
    if (!isScalar(pair.key)) continue;
    const valueNode = (pair.value as Node | null) ?? null;
    const value = str(valueNode);
    out.push({ key: String(pair.key.value), keyNode: pair.key, valueNode, ...(value ? { value } : {}) });
  }
  return out;
}

function strings(node: unknown): Str[] {
  if (isSeq(node)) return node.items.flatMap((item) => strings(item));
  const s = str(node);
  return s ? [s] : [];
}

function permissionsOf(map: unknown): Permissions | undefined {
  const pair = getPair(map, 'permissions');
  if (!pair) return undefined;
  const shorthand = str(pair.value);
  return { pairNode: pair, ...(shorthand ? { shorthand } : {}), scopes: entries(pair.value) };
}

function collectExpressions(node: unknown, out: Str[]): void {
  if (isMap(node)) for (const pair of node.items) {
    collectExpressions(pair.key, out);
    collectExpressions(pair.value, out);
  }
  else if (isSeq(node)) for (const item of node.items) collectExpressions(item, out);
  else {
    const s = str(node);
    if (s && s.value.includes('${{')) out.push(s);
  }
}

function githubStep(node: unknown, index: number): Step {
  const name = str(get(node, 'name'))?.value;
  const id = str(get(node, 'id'))?.value;
  const uses = str(get(node, 'uses'));
  const run = str(get(node, 'run'));
  return {
    index,
    node: node as YAMLMap,
    ...(id ? { id } : {}),
    ...(name ? { name } : {}),
    ...(uses ? { uses } : {}),
    ...(run ? { run } : {}),
    with: entries(get(node, 'with')),
    env: entries(get(node, 'env')),
  };
}

function environmentOf(node: unknown): Str | undefined {
  const env = get(node, 'environment');
  return str(env) ?? str(get(env, 'name'));
}

function githubJob(pair: Pair): Job {
  const node = isMap(pair.value) ? pair.value : null;
  const runsOnNode = get(node, 'runs-on');
  const runsOn = isMap(runsOnNode) ? [...strings(get(runsOnNode, 'labels')), ...strings(get(runsOnNode, 'group'))] : strings(runsOnNode);
  const steps = isSeq(get(node, 'steps')) ? (get(node, 'steps') as { items: unknown[] }).items.map((s, i) => githubStep(s, i)) : [];
  const container = get(node, 'container');
  const images: Str[] = [];
  const credentials: Entry[] = [];
  const containerImage = str(container) ?? str(get(container, 'image'));
  if (containerImage) images.push(containerImage);
  credentials.push(...entries(get(container, 'credentials')), ...entries(get(container, 'env')));
  for (const service of entries(get(node, 'services'))) {
    const image = service.value ?? str(get(service.valueNode, 'image'));
    if (image) images.push(image);
    credentials.push(...entries(get(service.valueNode, 'credentials')), ...entries(get(service.valueNode, 'env')));
  }
  const needsNode = get(node, 'needs');
  const environment = environmentOf(node);
  const permissions = permissionsOf(node);
  const uses = str(get(node, 'uses'));
  const secrets = str(get(node, 'secrets'));
  return {
    id: String((pair.key as Scalar).value),
    keyNode: pair.key as Scalar,
    node,
    runsOn,
    runsOnNode,
    ...(permissions ? { permissions } : {}),
    ...(environment ? { environment } : {}),
    steps,
    ...(uses ? { uses } : {}),
    with: entries(get(node, 'with')),
    ...(secrets ? { secrets } : {}),
    secretsEntries: entries(get(node, 'secrets')),
    env: entries(get(node, 'env')),
    needs: strings(needsNode).map((s) => s.value),
    images,
    credentials,
  };
}

const GITLAB_RESERVED = new Set(['stages', 'variables', 'default', 'include', 'workflow', 'image', 'services', 'before_script', 'after_script', 'cache', 'pages:deploy']);

function gitlabJob(pair: Pair, defaults: unknown, rootImage: unknown, rootCache: unknown): Job {
  const node = isMap(pair.value) ? pair.value : null;
  const steps: Step[] = [];
  for (const key of ['before_script', 'script', 'after_script']) {
    for (const line of strings(get(node, key) ?? get(defaults, key))) {
      steps.push({ index: steps.length, node: line.node, run: line, with: [], env: [] });
    }
  }
  const images: Str[] = [];
  const imageNode = get(node, 'image') ?? get(defaults, 'image') ?? rootImage;
  const image = str(imageNode) ?? str(get(imageNode, 'name'));
  if (image) images.push(image);
  for (const service of isSeq(get(node, 'services')) ? (get(node, 'services') as { items: unknown[] }).items : []) {
    const s = str(service) ?? str(get(service, 'name'));
    if (s) images.push(s);
  }
  const tagsNode = get(node, 'tags');
  const environment = environmentOf(node);
  const cache = get(node, 'cache') ?? get(defaults, 'cache') ?? (rootCache as Node | null) ?? undefined;
  const manual = str(get(node, 'when'));
  return {
    id: String((pair.key as Scalar).value),
    keyNode: pair.key as Scalar,
    node,
    runsOn: strings(tagsNode),
    runsOnNode: tagsNode,
    ...(environment ? { environment } : {}),
    steps,
    with: [],
    secretsEntries: [],
    env: entries(get(node, 'variables')),
    needs: strings(get(node, 'needs')).map((s) => s.value),
    images,
    credentials: [],
    ...(cache ? { cache } : {}),
    ...(manual?.value === 'manual' ? { manual } : {}),
  };
}

/** Builds the view rules work on: triggers, permissions, jobs and steps, each with its node. */
export function buildPipeline(file: SourceFile, includes: readonly SourceFile[] = []): Pipeline {
  const root = file.doc.contents;
  const expressions: Str[] = [];
  collectExpressions(root, expressions);
  if (file.kind === 'gitlab-ci') {
    // GitLab merges included files under the including one: the main file wins, then later includes over earlier ones
    const sources = [file, ...[...includes].reverse()].map((f): unknown => f.doc.contents).filter((m): m is YAMLMap => isMap(m));
    const top = (key: string): Node | null => {
      for (const map of sources) {
        const pair = getPair(map, key);
        if (pair) return (pair.value as Node | null) ?? null;
      }
      return null;
    };
    for (const inc of includes) collectExpressions(inc.doc.contents, expressions);
    const defaults = top('default');
    const rootImage = top('image');
    const winners = new Map<string, Pair>();
    for (const map of sources) {
      for (const pair of map.items) {
        if (!isScalar(pair.key) || GITLAB_RESERVED.has(String(pair.key.value))) continue;
        const id = String(pair.key.value);
        if (!winners.has(id)) winners.set(id, pair as Pair);
      }
    }
    const jobs: Job[] = [];
    // the main file's jobs first, then each included file's in include order
    for (const map of [file, ...includes].map((f): unknown => f.doc.contents).filter((m): m is YAMLMap => isMap(m))) {
      for (const pair of map.items) {
        if (!isScalar(pair.key) || winners.get(String(pair.key.value)) !== pair || !isMap(pair.value)) continue;
        const job = pair.value;
        if (!get(job, 'script') && !get(job, 'trigger') && !get(job, 'extends')) continue;
        jobs.push(gitlabJob(pair as Pair, defaults, rootImage, top('cache')));
      }
    }
    const env: Entry[] = [];
    const vars = new Set<string>();
    for (const map of sources) {
      for (const e of entries(get(map, 'variables'))) {
        if (vars.has(e.key)) continue;
        vars.add(e.key);
        env.push(e);
      }
    }
    return { file, kind: file.kind, triggers: new Map(), env, jobs, expressions, includes: [...includes] };
  }
  if (file.kind === 'github-action') {
    const runs = get(root, 'runs');
    const steps = isSeq(get(runs, 'steps')) ? (get(runs, 'steps') as { items: unknown[] }).items.map((s, i) => githubStep(s, i)) : [];
    const runsPair = getPair(root, 'runs');
    const keyNode = (runsPair?.key as Scalar | undefined) ?? (undefined as unknown as Scalar);
    const job: Job = { id: 'composite', keyNode, node: isMap(runs) ? runs : null, runsOn: [], runsOnNode: null, steps, with: [], secretsEntries: [], env: [], needs: [], images: [], credentials: [] };
    return { file, kind: file.kind, triggers: new Map(), env: [], jobs: [job], expressions, includes: [] };
  }
  const onPair = getPair(root, 'on') ?? getPair(root, true as unknown as string);
  const triggers = new Map<string, Scalar>();
  if (onPair) {
    const on = onPair.value;
    if (isScalar(on)) {
      triggers.set(String(on.value), on);
    } else if (isSeq(on)) {
      for (const item of on.items) if (isScalar(item)) triggers.set(String(item.value), item);
    } else if (isMap(on)) {
      for (const pair of on.items) if (isScalar(pair.key)) triggers.set(String(pair.key.value), pair.key);
    }
  }
  const jobsNode = get(root, 'jobs');
  const jobs = isMap(jobsNode) ? jobsNode.items.filter((p) => isScalar(p.key)).map((p) => githubJob(p as Pair)) : [];
  const permissions = permissionsOf(root);
  return {
    file,
    kind: file.kind,
    triggers,
    ...(onPair ? { onKey: onPair.key as Scalar } : {}),
    ...(permissions ? { permissions } : {}),
    env: entries(get(root, 'env')),
    jobs,
    expressions,
    includes: [],
  };
}

/**
 * A job's `strategy.matrix`: the values of each matrix key (`include` entries too), and the
 * matrix itself when it is one expression (`matrix: ${{ fromJSON(...) }}`).
 */
export interface Matrix {
  values: Map<string, Str[]>;
  whole?: Str;
}

export function matrixOf(job: Job): Matrix {
  const matrix = get(get(job.node, 'strategy'), 'matrix');
  const values = new Map<string, Str[]>();
  const add = (key: string, node: unknown): void => {
    const list = values.get(key) ?? [];
    list.push(...strings(node));
    values.set(key, list);
  };
  for (const e of entries(matrix)) {
    if (e.key === 'include') {
      for (const item of isSeq(e.valueNode) ? e.valueNode.items : []) for (const inner of entries(item)) add(inner.key, inner.valueNode);
    } else if (e.key !== 'exclude') add(e.key, e.valueNode);
  }
  const whole = str(matrix);
  return { values, ...(whole ? { whole } : {}) };
}

/** `owner/repo[/path]` of a `uses:` value, lower-cased, without the ref. */
export function actionName(uses: string): string {
  return uses.split('@')[0]!.toLowerCase();
}

export function usesAction(step: Step, ...names: string[]): boolean {
  if (!step.uses) return false;
  const name = actionName(step.uses.value);
  return names.some((n) => name === n || name.startsWith(`${n}/`));
}

export function withValue(step: Step, key: string): Str | undefined {
  return step.with.find((e) => e.key === key)?.value;
}
