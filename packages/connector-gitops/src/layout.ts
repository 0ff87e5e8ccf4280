import type { DeliverySystem } from '@ringmaster/core';
import { isMap, isSeq, parseDocument } from 'yaml';
import { GitOpsFailedError } from './errors.js';

/** The file a target's promotion edits: a kustomize overlay's `images:` entry, or (without a GitOps operator) an `image@digest` file. */
export interface PromotionFile {
  target: string;
  /** The service whose image the file pins: its folder under `apps/` as Ringmaster lays out a config repository, else the image's last path segment. */
  service: string;
  /** Image repository without tag or digest. */
  image: string;
  /** Path in the config repository. */
  path: string;
  format: 'kustomization' | 'image-file';
}

/** The promotion files of a plan's delivery system: one per service and target, exactly the paths the plan's operator syncs and promote.sh edits. */
export function promotionFilesOf(delivery: DeliverySystem): PromotionFile[] {
  const format = delivery.gitops.kustomize ? 'kustomization' : 'image-file';
  return delivery.services.flatMap((s) => delivery.targets.map((t) => ({ target: t.name, service: s.name, image: s.image, path: delivery.gitops.promotionFile(s.name, t.name), format })));
}

/** `.../overlays/<target>/kustomization.yaml`; under `apps/<service>/` (Ringmaster's layout) the folder names the service. */
const OVERLAY_RE = /(?:^|\/)(?:apps\/([^/]+)\/)?overlays\/([^/]+)\/kustomization\.ya?ml$/;
const IMAGE_FILE_RE = /^releases\/([^/]+)\/([^/]+)\.image$/;

/**
 * The promotion files found in a config repository's tracked files, for a repository laid out
 * as Ringmaster plans it (`.../overlays/<target>/kustomization.yaml` with an `images:` entry,
 * `releases/<target>/<service>.image`). Used when no delivery system is at hand (the CLI).
 */
export function discoverPromotionFiles(paths: readonly string[], read: (path: string) => string): PromotionFile[] {
  const found: PromotionFile[] = [];
  for (const path of [...paths].sort()) {
    const overlay = OVERLAY_RE.exec(path);
    if (overlay) {
      for (const image of kustomizationImages(read(path))) found.push({ target: overlay[2] as string, service: overlay[1] ?? serviceOfImage(image), image, path, format: 'kustomization' });
      continue;
    }
    const release = IMAGE_FILE_RE.exec(path);
    if (release) {
      const ref = parseImageFile(read(path));
      if (ref) found.push({ target: release[1] as string, service: release[2] as string, image: ref.image, path, format: 'image-file' });
    }
  }
  return found;
}

function serviceOfImage(image: string): string {
  return image.split('/').at(-1) as string;
}

function kustomizationImages(text: string): string[] {
  const doc = parseDocument(text);
  const images = doc.get('images');
  if (!isSeq(images)) return [];
  return images.items.flatMap((item) => (isMap(item) && typeof item.get('name') === 'string' ? [item.get('name') as string] : []));
}

const REF_RE = /^(\S+)@(sha256:[0-9a-f]{64})$/;

function parseImageFile(text: string): { image: string; digest: string } | null {
  const m = REF_RE.exec(text.trim());
  return m ? { image: m[1] as string, digest: m[2] as string } : null;
}

/** The digest a promotion file pins for its image, or null when the file (at some commit) does not pin one. */
export function readDigest(file: PromotionFile, text: string | null): string | null {
  if (text === null) return null;
  if (file.format === 'image-file') {
    const ref = parseImageFile(text);
    return ref !== null && ref.image === file.image ? ref.digest : null;
  }
  const doc = parseDocument(text);
  const images = doc.get('images');
  if (!isSeq(images)) return null;
  for (const item of images.items) {
    if (isMap(item) && item.get('name') === file.image) {
      const digest = item.get('digest');
      return typeof digest === 'string' ? digest : null;
    }
  }
  return null;
}

/**
 * The file's new text with the image pinned to `digest`; the rest of the document (comments,
 * order, other images) is kept. Only the `images:` entry named after the image changes, as
 * `kustomize edit set image IMAGE@DIGEST` would.
 */
export function writeDigest(file: PromotionFile, text: string | null, digest: string): string {
  if (file.format === 'image-file') return `${file.image}@${digest}\n`;
  if (text === null) throw new GitOpsFailedError(`${file.path}: the overlay is missing from the config repository`);
  const doc = parseDocument(text);
  const images = doc.get('images');
  const entry = isSeq(images) ? images.items.find((item) => isMap(item) && item.get('name') === file.image) : undefined;
  if (!isMap(entry)) throw new GitOpsFailedError(`${file.path}: expected an images entry named ${file.image}, found none`);
  entry.set('digest', digest);
  entry.delete('newTag');
  return doc.toString();
}
