import type { Checklist } from './checklist.js';
import type { KbTrace } from './kb.js';

export type ArtifactType = 'template' | 'checklist' | 'policy' | 'runbook';

/** A Markdown document described as data, so that its structure can be validated. */
export interface MarkdownDoc {
  title: string;
  intro?: string;
  sections: readonly MarkdownSection[];
}
export interface MarkdownSection {
  heading: string;
  paragraphs?: readonly string[];
  /** Rendered as `- [ ] item`. */
  checklist?: readonly string[];
  /** Rendered as a numbered list. */
  steps?: readonly string[];
  /** Rendered as `- item`. */
  bullets?: readonly string[];
  table?: { header: readonly string[]; rows: readonly (readonly string[])[] };
  code?: { lang: string; text: string };
}

/** What a file should contain; the renderer owns how it is written and validated. */
export type ArtifactBody =
  | {
      format: 'yaml';
      /** One YAML document per entry. */
      documents: readonly unknown[];
      /** Which validator applies: Kubernetes-family models, GitHub or GitLab CI, Azure Pipelines, or plain YAML. */
      schema: 'kubernetes' | 'github-workflow' | 'gitlab-ci' | 'azure-pipelines' | 'plain';
      /** A comment written at the top of the file. */
      header?: string;
      /**
       * GitHub Actions pins, for `schema: 'github-workflow'`. Every `uses:` must end up as
       * `owner/repo@<40-hex sha> # vX.Y.Z`. Three ways to get there, all rendered the same:
       * - `uses: 'owner/repo@<sha> # v4.2.2'`: the text after ` # ` becomes a YAML comment;
       * - `uses: 'owner/repo@<sha>'` where core's PINNED_ACTIONS knows the SHA: its version is added;
       * - `uses: 'owner/repo'` (no ref) where `pins` (or else PINNED_ACTIONS) names the action:
       *   the SHA and version come from there.
       * An action none of these resolve is left as written and fails validation.
       */
      pins?: Readonly<Record<string, { sha: string; version: string }>>;
    }
  | { format: 'json'; value: unknown; schema: 'openvex' | 'cyclonedx' | 'iam-policy' | 'plain' }
  | {
      format: 'shell';
      summary: string;
      /**
       * Values from the profile. They are written as single-quoted `readonly` assignments
       * at the top of the script, so the script body only ever expands them in double quotes.
       */
      vars: Readonly<Record<string, string>>;
      /** The script body after the variable block; it refers to vars as "${NAME}". */
      script: string;
    }
  | { format: 'rego'; package: string; rules: string; tests: string }
  | {
      format: 'sql';
      summary: string;
      statements: readonly string[];
      /** Expand-migrate-contract step. An `expand` migration must not drop, rename or retype anything. */
      phase?: 'expand' | 'migrate' | 'contract';
    }
  | { format: 'markdown'; doc: MarkdownDoc }
  | { format: 'checklist'; checklist: Checklist };

export interface ArtifactSpec {
  /** File name as the spec's golden tests name it, e.g. `argocd_app.yaml`. */
  name: string;
  /** Where `plan --out` writes it, relative to the output folder. */
  path: string;
  type: ArtifactType;
  kb: readonly KbTrace[];
  body: ArtifactBody;
}

/** A rendered file. Rego policies come with their test file. */
export interface RenderedArtifact {
  content: string;
  /** Extra files rendered with this one (e.g. `policy/residency_test.rego`). */
  companions?: readonly { path: string; content: string }[];
}

/** Turns artifact specs into file content. Bound in the container under ARTIFACT_RENDERER. */
export interface ArtifactRenderer {
  render(spec: ArtifactSpec): RenderedArtifact;
}
