const UNITS: Record<string, number> = {
  '': 1,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
};

/** Bytes in a Kubernetes storage quantity ("10Gi", "500M", "1073741824"); undefined when not one. */
export function quantityBytes(quantity: string): number | undefined {
  const match = /^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|K|M|G|T|P)?$/.exec(quantity.trim());
  if (!match?.[1]) return undefined;
  return Number(match[1]) * (UNITS[match[2] ?? ''] ?? 1);
}
