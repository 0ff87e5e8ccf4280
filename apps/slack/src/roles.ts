import { readFileSync } from 'node:fs';
import type { ChecklistRole } from '@ringmaster/core';
import { parse } from 'yaml';
import { ConfigError } from './config.js';

export const ROLES: readonly ChecklistRole[] = ['release_captain', 'incident_commander', 'approver'];

/** role -> Slack user ids (U..., W...) and user group ids (S...). */
export type RoleMap = Readonly<Record<ChecklistRole, { users: readonly string[]; groups: readonly string[] }>>;

const USER_RE = /^[UW][A-Z0-9]{2,}$/;
const GROUP_RE = /^S[A-Z0-9]{2,}$/;

/**
 * Parses a roles file (YAML or JSON):
 *
 *     release_captain: [U012ABC, S0GROUP1]
 *     incident_commander: [U034DEF]
 *     approver: [S0APPROVERS]
 */
export function parseRoles(text: string, source = 'RINGMASTER_ROLES'): RoleMap {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new ConfigError(source, `is not valid YAML/JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new ConfigError(source, 'must map roles to lists of Slack user or group ids');
  const out: Record<string, { users: string[]; groups: string[] }> = {};
  for (const role of ROLES) out[role] = { users: [], groups: [] };
  for (const [role, ids] of Object.entries(doc as Record<string, unknown>)) {
    if (!(ROLES as readonly string[]).includes(role)) throw new ConfigError(source, `unknown role "${role}" (known: ${ROLES.join(', ')})`);
    const values = ids === null ? [] : Array.isArray(ids) ? ids : [ids];
    for (const id of values) {
      if (typeof id !== 'string') throw new ConfigError(source, `${role}: ids must be strings`);
      if (USER_RE.test(id)) out[role]!.users.push(id);
      else if (GROUP_RE.test(id)) out[role]!.groups.push(id);
      else throw new ConfigError(source, `${role}: "${id}" is not a Slack user (U...) or user group (S...) id`);
    }
  }
  return out as unknown as RoleMap;
}

export function loadRoles(path: string): RoleMap {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError('RINGMASTER_ROLES', `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseRoles(text);
}

/** Who is in a user group; the app resolves it with usergroups.users.list and caches it. */
export type GroupMembers = (groupId: string) => Promise<readonly string[]>;

/** Whether a user holds a role, directly or through one of the role's user groups. */
export async function hasRole(roles: RoleMap, role: ChecklistRole, userId: string, members: GroupMembers): Promise<boolean> {
  const entry = roles[role];
  if (entry.users.includes(userId)) return true;
  for (const group of entry.groups) {
    try {
      if ((await members(group)).includes(userId)) return true;
    } catch {
      // A group we cannot read grants nothing.
    }
  }
  return false;
}
