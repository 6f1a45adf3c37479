/**
 * Kubernetes resource.Quantity values, the one parser of the workspace (catalogue, remote API,
 * devstack). It follows Kubernetes' grammar: an optionally signed decimal number, then nothing, a
 * decimal SI suffix (n u m k M G T P E; kilo is a lower-case k), a binary one (Ki Mi Gi Ti Pi Ei) or
 * an exponent (e3, E-2). @kubernetes/client-node's quantityToScalar is not used: the package does not
 * export it, it refuses fractions with a suffix ("1.5Gi") and accepts what Kubernetes refuses ("0x10").
 */
/** Decimal suffixes as powers of ten, binary ones as powers of two. */
const DECIMAL_POWER: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const BINARY_POWER: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

const QUANTITY =
  /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(?:(n|u|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)|[eE]([+-]?[0-9]+))?$/;

/** The quantity's value (bytes for a storage size), or undefined when the text is not a Kubernetes quantity. */
export function parseQuantity(text: string): number | undefined {
  const match = QUANTITY.exec(text);
  if (!match) return undefined;
  const [, number, suffix = '', exponent] = match;
  const base = Number(number);
  const binary = BINARY_POWER[suffix];
  if (binary !== undefined) return base * 2 ** binary;
  const power = exponent === undefined ? DECIMAL_POWER[suffix]! : Number(exponent);
  // Dividing by an exact power of ten keeps 100n at 1e-7; multiplying by 1e-9 would not.
  return power >= 0 ? base * 10 ** power : base / 10 ** -power;
}
