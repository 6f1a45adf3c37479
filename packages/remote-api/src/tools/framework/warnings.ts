import type { ToolOutcome } from '../context.js';

/**
 * The admission warnings of a call's writes (deprecations, validation disabled, a five-field
 * schedule…) added to what the person sees: in the text always, in the structured result where
 * the tool's output schema has `warnings` (every mutating tool's, through mutationOutput).
 */
export function withWarnings(
  outcome: ToolOutcome,
  warnings: readonly string[],
  structured: boolean,
): ToolOutcome {
  if (warnings.length === 0) return outcome;
  return {
    structured: structured ? { ...outcome.structured, warnings: [...warnings] } : outcome.structured,
    text: [outcome.text, 'Kubernetes warned:', ...warnings.map((w) => `  - ${w}`)].join('\n'),
  };
}
