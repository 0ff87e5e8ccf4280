import { bold, escapeText, inlineCode, joinText, link, mrkdwn, type SlackText } from '../slack-text.js';
import type { ActionData } from '@ringmaster/evidence';

/** A web link to a commit for the hosted providers' https URLs (GitHub, GitLab and their look-alikes); none for other URLs. */
export function commitUrl(repository: string | undefined, commit: string | undefined): string | undefined {
  if (!repository || !commit || !/^[0-9a-f]{7,64}$/.test(commit)) return undefined;
  const m = /^https:\/\/([^/\s@]+)\/([^\s?#]+?)(?:\.git)?\/?$/.exec(repository);
  return m ? `https://${m[1]}/${m[2]}/commit/${commit}` : undefined;
}

function measured(values: Record<string, number> | undefined): SlackText {
  const parts = Object.entries(values ?? {}).map(([name, value]) => mrkdwn`${escapeText(name)} ${escapeText(String(Number(value.toFixed(4))))}`);
  return parts.length ? mrkdwn` · ${joinText(parts, ' · ')}` : mrkdwn``;
}

/** The thread line of an action's outcome: the commit and its link, the measurements, or why it did not happen. */
export function actionLine(who: SlackText, title: SlackText, d: ActionData): SlackText {
  const ring = inlineCode(d.ring ?? '?');
  const ref = inlineCode(`${d.image ?? ''}@${d.digest ?? ''}`);
  const what =
    d.action === 'canary-health'
      ? mrkdwn`Canary health of ${ring}`
      : d.action === 'verify-signature'
        ? mrkdwn`The signature of ${ref} for ${ring}`
        : mrkdwn`${escapeText(d.action === 'promote' ? 'Promotion' : 'Rollback')} of ${ring}`;
  if (d.outcome === 'refused' || d.outcome === 'failed') {
    const after = d.action === 'canary-health' ? mrkdwn`The bake did not pass: start it again once the canary is healthy.` : mrkdwn`The step is still open; try again.`;
    return mrkdwn`:no_entry: ${what} ${escapeText(d.outcome)} at ${title}: ${escapeText(d.reason ?? 'no reason given')}${measured(d.measurements)}. ${after}`;
  }
  if (d.action === 'canary-health') return mrkdwn`:white_check_mark: ${what} passed at ${title}${measured(d.measurements)}`;
  if (d.action === 'verify-signature') return mrkdwn`:lock: ${what} was verified by cosign (signed by the plan's release signer) at ${title}`;
  if (d.outcome === 'dry-run') return mrkdwn`:test_tube: Dry run: ${who} would commit ${ref} to ${ring} in ${inlineCode(d.path ?? '')}; nothing was written.`;
  const url = d.review_url ?? commitUrl(d.repository, d.commit);
  const commit = d.commit ? (url ? link(url, d.commit.slice(0, 12)) : inlineCode(d.commit.slice(0, 12))) : mrkdwn`none`;
  const review = d.review_url ? mrkdwn` (review requested)` : mrkdwn``;
  const note = d.reason ? mrkdwn` · ${escapeText(d.reason)}` : mrkdwn``;
  return mrkdwn`:package: ${who} committed ${bold(`${d.action} ${d.ring ?? ''}`)}: ${ref} · commit ${commit}${review} in ${inlineCode(d.path ?? '')}${note}`;
}
