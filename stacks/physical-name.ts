/**
 * The one place physical names are made: `<prefix>-<name>`. Every function,
 * role, log group, table and API of a stack shares the prefix, so two copies
 * of the stack (two teams, two environments) never collide in one account.
 */
export function physicalName(prefix: string, name: string): string {
  return `${prefix}-${name}`;
}
