// Go's strconv.ParseBool, which dockerd uses for every boolean driver option
// (bridge_linux.go fromLabels): 1 t T TRUE true True / 0 f F FALSE false False.
export function parseGoBool(value: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return undefined;
}
