/**
 * What the rules know about third-party actions, commands and contexts, kept as data: one
 * table per concern. A user extends the tables in the audit config (`knowledge:`); their rows
 * come after the built-in ones and an action named in both is judged by the user's row.
 */

/** An action input whose value is run as code (a script, a shell command, an expression language). */
export interface CodeInput {
  /** `owner/repo[/path]`, lower case, no ref. */
  action: string;
  inputs: string[];
}

/**
 * How an action decides to restore a cache.
 * - `always`: every run restores one (`Swatinem/rust-cache`, `actions/cache`).
 * - `enabled_by`: inputs that turn caching on; any value but a false one does (`cache: npm`,
 *   `enable-cache: true`, an expression).
 * - `disabled_by`: inputs that turn caching off when true (`ignore-cache: yes`, `lookup-only: true`).
 * - `default`: whether the action caches when none of its inputs say otherwise (`setup-go`: yes).
 */
export interface CacheAction {
  action: string;
  always?: boolean;
  enabled_by?: string[];
  disabled_by?: string[];
  default?: boolean;
}

/**
 * An action that publishes (a release, a package, an image). With `when_input`, it publishes only
 * when that input is true (`docker/build-push-action` `push`), or, with `when_matches`, when the
 * input's value matches the regular expression (a missing input counts as `when_default`).
 */
export interface PublisherAction {
  action: string;
  when_input?: string;
  when_matches?: string;
  when_default?: string;
}

/** An action whose outputs carry data the caller does not control: an API response, the names of changed files. */
export interface ApiResponseAction {
  action: string;
  outputs: string[];
}

export interface Knowledge {
  code_inputs: CodeInput[];
  cache_actions: CacheAction[];
  publisher_actions: PublisherAction[];
  /** Regular expressions over a script line that publishes. */
  publish_commands: string[];
  /** Expression paths an outsider can write; `*` stands for one path segment or index. */
  untrusted_contexts: string[];
  api_response_actions: ApiResponseAction[];
  /** Secrets that are a registry's own publishing token (legitimate in a publishing job). */
  registry_tokens: string[];
}

export const BUILTIN_KNOWLEDGE: Readonly<Knowledge> = {
  code_inputs: [
    { action: 'actions/github-script', inputs: ['script'] },
    { action: 'mikefarah/yq', inputs: ['cmd'] },
    { action: 'sergeysova/jq-action', inputs: ['cmd'] },
    { action: 'azure/powershell', inputs: ['inlinescript'] },
    { action: 'azure/cli', inputs: ['inlinescript'] },
    { action: 'amadevus/pwsh-script', inputs: ['script'] },
    { action: 'jannekem/run-python-script-action', inputs: ['script'] },
    { action: 'appleboy/ssh-action', inputs: ['script'] },
    { action: 'garygrossgarten/github-action-ssh', inputs: ['command'] },
    { action: 'nick-fields/retry', inputs: ['command', 'on_retry_command'] },
    { action: 'nick-invision/retry', inputs: ['command', 'on_retry_command'] },
    { action: 'addnab/docker-run-action', inputs: ['run'] },
    { action: 'cardinalby/js-eval-action', inputs: ['expression'] },
    { action: 'mathiasvr/command-output', inputs: ['run'] },
    { action: 'cloudposse/github-action-jq', inputs: ['script'] },
  ],
  cache_actions: [
    { action: 'actions/cache', always: true, disabled_by: ['lookup-only'] },
    { action: 'actions/cache/restore', always: true, disabled_by: ['lookup-only'] },
    // saving writes a cache but restores nothing into the job
    { action: 'actions/cache/save' },
    { action: 'swatinem/rust-cache', always: true, disabled_by: ['lookup-only'] },
    { action: 'mozilla-actions/sccache-action', always: true },
    { action: 'hendrikmuhs/ccache-action', always: true },
    { action: 'determinatesystems/magic-nix-cache-action', always: true },
    { action: 'coursier/cache-action', always: true },
    { action: 'actions/setup-node', enabled_by: ['cache'], default: false },
    { action: 'actions/setup-python', enabled_by: ['cache'], default: false },
    { action: 'actions/setup-java', enabled_by: ['cache'], default: false },
    { action: 'actions/setup-dotnet', enabled_by: ['cache'], default: false },
    { action: 'actions/setup-go', enabled_by: ['cache'], default: true },
    { action: 'graalvm/setup-graalvm', enabled_by: ['cache'], default: false },
    { action: 'ruby/setup-ruby', enabled_by: ['bundler-cache'], default: false },
    { action: 'astral-sh/setup-uv', enabled_by: ['enable-cache'], default: false },
    { action: 'pdm-project/setup-pdm', enabled_by: ['cache'], default: false },
    { action: 'oven-sh/setup-bun', disabled_by: ['no-cache'], default: true },
    { action: 'jdx/mise-action', enabled_by: ['cache'], default: true },
    { action: 'ramsey/composer-install', disabled_by: ['ignore-cache'], default: true },
    { action: 'gradle/actions/setup-gradle', disabled_by: ['cache-disabled', 'cache-write-only'], default: true },
    { action: 'gradle/gradle-build-action', disabled_by: ['cache-disabled', 'cache-write-only'], default: true },
    { action: 'docker/build-push-action', enabled_by: ['cache-from'], default: false },
    { action: 'docker/bake-action', enabled_by: ['cache-from'], default: false },
  ],
  publisher_actions: [
    { action: 'softprops/action-gh-release' },
    { action: 'ncipollo/release-action' },
    { action: 'svenstaro/upload-release-action' },
    { action: 'actions/create-release' },
    { action: 'actions/upload-release-asset' },
    { action: 'marvinpinto/action-automatic-releases' },
    { action: 'pypa/gh-action-pypi-publish' },
    { action: 'js-devtools/npm-publish' },
    { action: 'rubygems/release-gem' },
    { action: 'katyo/publish-crates' },
    { action: 'cycjimmy/semantic-release-action' },
    { action: 'redhat-actions/push-to-registry' },
    { action: 'docker/build-push-action', when_input: 'push' },
    { action: 'docker/bake-action', when_input: 'push' },
    { action: 'goreleaser/goreleaser-action', when_input: 'args', when_matches: '\\brelease\\b', when_default: 'release' },
    { action: 'changesets/action', when_input: 'publish', when_matches: '\\S' },
  ],
  publish_commands: [
    String.raw`\bdocker\s+(?:image\s+)?push\b`,
    String.raw`\bdocker\s+buildx\s+build\b[^\n]*--push\b`,
    String.raw`\bpodman\s+push\b`,
    String.raw`\b(?:npm|pnpm)\s+publish\b`,
    String.raw`\byarn\s+(?:npm\s+)?publish\b`,
    String.raw`\bgoreleaser\s+release\b`,
    String.raw`\bgh\s+release\s+(?:create|upload)\b`,
    String.raw`\btwine\s+upload\b`,
    String.raw`\bcargo\s+publish\b`,
    String.raw`\bmvn\b[^\n]*\bdeploy\b`,
    String.raw`\bgradlew?\b[^\n]*\bpublish\w*`,
    String.raw`\bcrane\s+(?:push|copy)\b`,
    String.raw`\bskopeo\s+copy\b`,
    String.raw`\bhelm\s+push\b`,
    String.raw`\boras\s+push\b`,
    String.raw`\bko\s+(?:build|publish)\b`,
    String.raw`\bgem\s+push\b`,
    String.raw`\bpoetry\s+publish\b`,
    String.raw`\buv\s+publish\b`,
    String.raw`\bdotnet\s+nuget\s+push\b`,
    String.raw`\bvsce\s+publish\b`,
  ],
  untrusted_contexts: [
    'github.event.issue.title',
    'github.event.issue.body',
    'github.event.pull_request.title',
    'github.event.pull_request.body',
    'github.event.discussion.title',
    'github.event.discussion.body',
    'github.event.comment.body',
    'github.event.review.body',
    'github.event.review_comment.body',
    'github.event.pages.*.page_name',
    'github.event.commits.*.message',
    'github.event.commits.*.author.email',
    'github.event.commits.*.author.name',
    'github.event.head_commit.message',
    'github.event.head_commit.author.email',
    'github.event.head_commit.author.name',
    'github.event.pull_request.head.ref',
    'github.event.pull_request.head.label',
    'github.event.pull_request.head.repo.default_branch',
    'github.head_ref',
    'github.event.workflow_run.head_branch',
    'github.event.workflow_run.display_title',
    'github.event.workflow_run.head_commit.message',
    'github.event.workflow_run.head_commit.author.email',
    'github.event.workflow_run.head_commit.author.name',
    'github.event.workflow_run.pull_requests.*.head.ref',
    'github.event.release.name',
    'github.event.release.body',
    'github.event.release.tag_name',
    'github.event.inputs.*',
    'inputs.*',
  ],
  api_response_actions: [
    { action: 'actions/github-script', outputs: ['result'] },
    { action: 'octokit/request-action', outputs: ['data'] },
    { action: 'octokit/graphql-action', outputs: ['data'] },
    // file names are chosen by whoever opens the pull request
    { action: 'tj-actions/changed-files', outputs: ['all_changed_files', 'changed_files', 'added_files', 'modified_files', 'renamed_files', 'all_modified_files', 'all_changed_and_modified_files', 'other_changed_files'] },
  ],
  registry_tokens: ['NPM_TOKEN', 'NODE_AUTH_TOKEN', 'PYPI_API_TOKEN', 'PYPI_TOKEN', 'TEST_PYPI_API_TOKEN', 'CARGO_REGISTRY_TOKEN', 'RUBYGEMS_API_KEY', 'GEM_HOST_API_KEY', 'NUGET_API_KEY'],
};

/** Contexts that come from a person who may be an outsider only in some workflows: matched in --strict mode. */
export const STRICT_ONLY_CONTEXTS = new Set(['github.event.inputs.*', 'inputs.*', 'github.event.release.name', 'github.event.release.body', 'github.event.release.tag_name']);

/** The built-in tables with the user's rows appended: their rows for an action replace ours. */
export function mergeKnowledge(extra: Partial<Knowledge> | undefined): Knowledge {
  const base = BUILTIN_KNOWLEDGE;
  if (!extra) return { ...base };
  const byAction = <T extends { action: string }>(ours: readonly T[], theirs: readonly T[] | undefined): T[] => {
    const rows = (theirs ?? []).map((r) => ({ ...r, action: r.action.toLowerCase() }));
    const named = new Set(rows.map((r) => r.action));
    return [...ours.filter((r) => !named.has(r.action)), ...rows];
  };
  const list = (ours: readonly string[], theirs: readonly string[] | undefined): string[] => [...new Set([...ours, ...(theirs ?? [])])];
  return {
    code_inputs: byAction(base.code_inputs, extra.code_inputs),
    cache_actions: byAction(base.cache_actions, extra.cache_actions),
    publisher_actions: byAction(base.publisher_actions, extra.publisher_actions),
    publish_commands: list(base.publish_commands, extra.publish_commands),
    untrusted_contexts: list(base.untrusted_contexts, extra.untrusted_contexts),
    api_response_actions: byAction(base.api_response_actions, extra.api_response_actions),
    registry_tokens: list(base.registry_tokens, extra.registry_tokens),
  };
}

/** JSON schema of the `knowledge:` section of the audit config. */
export const KNOWLEDGE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    code_inputs: { type: 'array', items: { type: 'object', additionalProperties: false, required: ['action', 'inputs'], properties: { action: { type: 'string', minLength: 1 }, inputs: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } } } } },
    cache_actions: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['action'],
        properties: {
          action: { type: 'string', minLength: 1 },
          always: { type: 'boolean' },
          enabled_by: { type: 'array', items: { type: 'string', minLength: 1 } },
          disabled_by: { type: 'array', items: { type: 'string', minLength: 1 } },
          default: { type: 'boolean' },
        },
      },
    },
    publisher_actions: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['action'],
        properties: { action: { type: 'string', minLength: 1 }, when_input: { type: 'string', minLength: 1 }, when_matches: { type: 'string', format: 'regex' }, when_default: { type: 'string' } },
      },
    },
    publish_commands: { type: 'array', items: { type: 'string', minLength: 1, format: 'regex' } },
    untrusted_contexts: { type: 'array', items: { type: 'string', pattern: '^[A-Za-z_][\\w-]*(?:\\.(?:[\\w-]+|\\*))+$' } },
    api_response_actions: { type: 'array', items: { type: 'object', additionalProperties: false, required: ['action', 'outputs'], properties: { action: { type: 'string', minLength: 1 }, outputs: { type: 'array', items: { type: 'string', minLength: 1 } } } } },
    registry_tokens: { type: 'array', items: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' } },
  },
} as const;

/** The tables in the form rules read them: maps by action, regular expressions compiled once. */
export interface CompiledKnowledge {
  codeInputs: ReadonlyMap<string, ReadonlySet<string>>;
  cacheActions: ReadonlyMap<string, CacheAction>;
  publishers: ReadonlyMap<string, PublisherAction & { matches?: RegExp }>;
  publishCommand: RegExp;
  /** Untrusted contexts by default, and with the --strict ones added. */
  untrusted: RegExp;
  untrustedStrict: RegExp;
  apiResponses: ReadonlyMap<string, ReadonlySet<string>>;
  registryTokens: ReadonlySet<string>;
}

/** `github.event.commits.*.message` -> a pattern over a normalized expression. */
function contextPattern(path: string): string {
  const segment = String.raw`(?:\.[\w-]+|\[[^\]]*\]|\.\*)`;
  const [head, ...rest] = path.split('.');
  const body = rest.map((part) => (part === '*' ? segment : String.raw`\.${part.replace(/[-]/g, '\\-')}`)).join('');
  return String.raw`(?<![\w.-])${head}${body}(?![\w-])`;
}

function contextRegExp(paths: readonly string[]): RegExp {
  return new RegExp(paths.length > 0 ? paths.map(contextPattern).join('|') : '(?!)');
}

export function compileKnowledge(k: Knowledge): CompiledKnowledge {
  const byAction = <T extends { action: string }>(rows: readonly T[]): Map<string, T> => new Map(rows.map((r) => [r.action.toLowerCase(), r]));
  const lower = (xs: readonly string[]): Set<string> => new Set(xs.map((x) => x.toLowerCase()));
  return {
    codeInputs: new Map(k.code_inputs.map((r) => [r.action.toLowerCase(), lower(r.inputs)])),
    cacheActions: byAction(k.cache_actions),
    publishers: new Map(k.publisher_actions.map((r) => [r.action.toLowerCase(), r.when_matches ? { ...r, matches: new RegExp(r.when_matches) } : r])),
    publishCommand: new RegExp(k.publish_commands.map((c) => `(?:${c})`).join('|')),
    untrusted: contextRegExp(k.untrusted_contexts.filter((c) => !STRICT_ONLY_CONTEXTS.has(c))),
    untrustedStrict: contextRegExp(k.untrusted_contexts),
    apiResponses: new Map(k.api_response_actions.map((r) => [r.action.toLowerCase(), lower(r.outputs)])),
    registryTokens: new Set(k.registry_tokens),
  };
}

export const BUILTIN: CompiledKnowledge = compileKnowledge(BUILTIN_KNOWLEDGE);

/** The row for an action: by its full name, else by `owner/repo` (an action in a subfolder of a listed repository). */
export function rowFor<T>(table: ReadonlyMap<string, T>, uses: string | undefined): T | undefined {
  if (!uses || uses.startsWith('./') || uses.startsWith('docker://')) return undefined;
  const name = uses.split('@')[0]!.toLowerCase();
  return table.get(name) ?? table.get(name.split('/').slice(0, 2).join('/'));
}

const FALSE_VALUES = new Set(['false', 'no', 'off', '0', '', 'none', 'disabled', 'null']);

/** An input value that is off: a YAML false, a boolish false string, empty. Expressions count as on (they may be). */
export function isOff(value: string | undefined): boolean {
  return value === undefined || FALSE_VALUES.has(value.trim().toLowerCase().replace(/^['"]|['"]$/g, ''));
}
