import type { ArtifactBody, ArtifactSpec } from '@ringmaster/core';
import { FileRenderer } from '../src/render.js';
import { validateArtifact, type ArtifactIssue } from '../src/validate/index.js';

export const renderer = new FileRenderer();

export function spec(name: string, path: string, body: ArtifactBody, type: ArtifactSpec['type'] = 'template'): ArtifactSpec {
  return { name, path, type, kb: ['KB_01#Architecture'], body };
}

/** Renders and validates; returns the error-level issues. */
export async function errorsOf(s: ArtifactSpec): Promise<ArtifactIssue[]> {
  return (await validateArtifact(s, renderer.render(s))).filter((i) => i.severity === 'error');
}

export async function issuesOf(s: ArtifactSpec): Promise<ArtifactIssue[]> {
  return validateArtifact(s, renderer.render(s));
}

export function messages(list: readonly Pick<ArtifactIssue, 'at' | 'validator' | 'message'>[]): string {
  return list.map((i) => `${i.at ?? ''} [${i.validator}] ${i.message}`).join('\n');
}

export const DIGEST = 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
