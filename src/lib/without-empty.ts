/** Environment variables as settings see them: unset and empty are the same thing (`APP_ID=` in a compose file means "not set"). */
export function withoutEmpty(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined && value.trim() !== '') kept[name] = value;
  return kept;
}
