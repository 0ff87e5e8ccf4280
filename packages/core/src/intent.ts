/** Goal intent: the words of a goal, matched against keyword lists, never against whole goal strings. */
export interface GoalIntent {
  readonly text: string;
  readonly words: readonly string[];
}

export function goalIntent(goal: string): GoalIntent {
  const words = goal
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
  return { text: words.join(' '), words };
}

/**
 * Which keywords occur in the goal. A keyword is a word (`dr` matches only `dr`),
 * a prefix ending in `*` (`migrat*` matches `migration`, `migrations`), or several
 * words that must follow each other (`break glass`, `code freeze*`).
 */
export function matchKeywords(intent: GoalIntent, keywords: readonly string[]): string[] {
  const hits: string[] = [];
  for (const keyword of keywords) {
    const parts = keyword.toLowerCase().split(/\s+/);
    const matchAt = (i: number): boolean =>
      parts.every((part, k) => {
        const word = intent.words[i + k];
        if (word === undefined) return false;
        return part.endsWith('*') ? word.startsWith(part.slice(0, -1)) : word === part;
      });
    for (let i = 0; i < intent.words.length; i++) {
      if (matchAt(i)) {
        hits.push(keyword);
        break;
      }
    }
  }
  return hits;
}
