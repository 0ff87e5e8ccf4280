import type { ChecklistRole } from '@ringmaster/core';
import type { webApi } from '@slack/bolt';
import { hasRole, ROLES, type RoleMap } from './roles.js';

/** How long a user group's members are cached. */
const GROUP_TTL_MS = 5 * 60_000;

/** The roles a Slack user holds: directly in the roles file, or through a user group (usergroups.users.list, cached). */
export class RoleResolver {
  private readonly groupCache = new Map<string, { at: number; users: readonly string[] }>();

  constructor(
    private readonly roles: RoleMap,
    private readonly client: webApi.WebClient,
  ) {}

  private async groupMembers(group: string): Promise<readonly string[]> {
    const hit = this.groupCache.get(group);
    if (hit && Date.now() - hit.at < GROUP_TTL_MS) return hit.users;
    const res = await this.client.usergroups.users.list({ usergroup: group });
    const users = res.users ?? [];
    this.groupCache.set(group, { at: Date.now(), users });
    return users;
  }

  async rolesOf(user: string): Promise<Set<ChecklistRole>> {
    const held = new Set<ChecklistRole>();
    for (const role of ROLES) if (await hasRole(this.roles, role, user, (g) => this.groupMembers(g))) held.add(role);
    return held;
  }
}
