import { perServiceName, type DeliverySystem, type ServiceModel } from './delivery.js';

/**
 * How a generated script that serves every service of the plan picks one: its first argument names
 * the service, and a `case` table made from `d.services` sets the script's variables to that
 * service's values, then shifts the argument away; a missing or unknown service exits 2 with one
 * line naming the known ones. The values go to `vars` (the renderer quotes them); the table only
 * refers to them. `usage` is the script's usage (constant text: no quotes, `$` or backticks);
 * `usageLine` says it with the services it knows, for the script's header.
 */
export function serviceSelection(
  d: Pick<DeliverySystem, 'services'>,
  usage: string,
  valuesOf: (service: ServiceModel) => Readonly<Record<string, string>>,
): { vars: Record<string, string>; script: string; usageLine: string } {
  const vars: Record<string, string> = {};
  const arms = d.services.map((service) => {
    const assignments = Object.entries(valuesOf(service)).map(([name, value]) => {
      // The variable holding the service's value: `IMAGE` of `crm-api` is `IMAGE_CRM_API`, with one service too (the table sets `IMAGE` from it).
      const holder = perServiceName(name, service.name);
      vars[holder] = value;
      return `${name}="\${${holder}}"`;
    });
    return `  '${service.name}')${assignments.length === 0 ? '' : ` ${assignments.join('; ')}`} ;;`;
  });
  const known = d.services.map((s) => s.name).join(', ');
  const script = [
    'SERVICE="${1:-}"',
    'case "${SERVICE}" in',
    ...arms,
    `  *) echo "unknown service '\${SERVICE}': expected one of ${known} (usage: ${usage})" >&2; exit 2 ;;`,
    'esac',
    'shift',
  ].join('\n');
  return { vars, script, usageLine: `Usage: ${usage}   (service: ${d.services.map((s) => s.name).join(' | ')})` };
}
