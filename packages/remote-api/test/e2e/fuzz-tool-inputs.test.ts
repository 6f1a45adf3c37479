/**
 * Fuzzes every tool's input through the real MCP endpoint: the server never crashes, invalid
 * input is refused with an error naming the field, and nothing is written to Kubernetes. Arguments
 * a tool does not know are dropped and named in the result (clients such as Gemini CLI add their
 * own), so validity is judged on the known ones.
 * FUZZ_RUNS sets the total number of cases (CI uses a small number; `npm run soak` 10,000);
 * FUZZ_TOOLS=a,b limits the run to some tools; FUZZ_SEED replays a run.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { catalog } from '@cnpg-mcp/catalog';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import fc from 'fast-check';
import type { KubeEmulator } from '../../../devstack/src/index.js';
import {
  emulatorOnly,
  type LocalStack,
  type StackApi,
  startLocalStack,
} from '../../../devstack/src/stack.js';
import { connectClient } from '../support/support.js';

const TOTAL_RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const onlyTools = process.env.FUZZ_TOOLS?.split(',');
const tools = catalog.filter((tool) => !onlyTools || onlyTools.includes(tool.name));
const runsPerTool = Math.max(5, Math.ceil(TOTAL_RUNS / tools.length));

let stack: LocalStack;
let kube: KubeEmulator;
let api: StackApi;
let client: Client;

describe(
  'fuzzed tool inputs write nothing',
  emulatorOnly(
    "'nothing written' is the emulator's resourceVersion standing still; a real cluster writes all the time",
  ),
  () => {
    before(async () => {
      stack = await startLocalStack({
        oidc: { accessTokenTtlSeconds: 3600 },
        kube: { stepDelayMs: 0, namespaces: ['team-a'] },
      });
      ({ kube, api } = stack);
      client = await connectClient(api, await stack.tokenFor('admin'));
    });

    after(async () => {
      await client.close();
      await stack.close();
    });

    /** The emulator's global resourceVersion: it moves on every write and only then. */
    async function revision(): Promise<string> {
      await kube.settle();
      const response = await fetch(`${kube.url}/api/v1/namespaces`, {
        headers: { authorization: `Bearer ${kube.token}` },
      });
      const list = (await response.json()) as { metadata: { resourceVersion: string } };
      return list.metadata.resourceVersion;
    }

    const oddStrings = fc.oneof(
      fc.string(),
      fc.constantFrom(
        '',
        ' ',
        'UPPER',
        'a'.repeat(300),
        '../../etc/passwd',
        '-leading',
        'trailing-',
        'a_b',
        'x'.repeat(64),
      ),
      fc.constantFrom('1Gi', '-1Gi', '10Ti', '0', 'NaN', '1e9', '17', 'postgres', 'primary', '* * * * * *'),
    );
    const anyValue = fc.oneof(
      oddStrings,
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.oneof(oddStrings, fc.integer()), { maxLength: 4 }),
      fc.dictionary(oddStrings, fc.oneof(oddStrings, fc.integer()), { maxKeys: 3 }),
    );

    function inputsFor(fieldNames: string[]) {
      const nearValid =
        fieldNames.length === 0
          ? fc.constant({})
          : fc.record(Object.fromEntries(fieldNames.map((field) => [field, anyValue])), { requiredKeys: [] });
      const withStranger = fc
        .tuple(nearValid, fc.string({ minLength: 1 }), anyValue)
        .map(([input, key, value]) => ({
          ...input,
          [`x_${key}`]: value,
        }));
      return fc.oneof(nearValid, withStranger, fc.dictionary(oddStrings, anyValue, { maxKeys: 5 }));
    }

    function textOf(result: Awaited<ReturnType<Client['callTool']>>): string {
      const content = result.content as Array<{ type: string; text?: string }>;
      return content.map((part) => part.text ?? '').join('\n');
    }

    test(`fuzz every tool's input (${runsPerTool} cases per tool)`, async () => {
      const listed = await client.listTools();
      assert.equal(listed.tools.length, catalog.length);
      for (const tool of tools) {
        const schema = listed.tools.find((candidate) => candidate.name === tool.name)?.inputSchema;
        const fieldNames = Object.keys(schema?.properties ?? {});
        await fc.assert(
          fc.asyncProperty(inputsFor(fieldNames), async (input) => {
            const known = Object.entries(input as Record<string, unknown>).filter(([key]) =>
              Object.hasOwn(tool.inputSchema.shape, key),
            );
            const unknown = Object.keys(input as Record<string, unknown>).filter(
              (key) => !Object.hasOwn(tool.inputSchema.shape, key),
            );
            const expected = tool.inputSchema.safeParse(Object.fromEntries(known));
            const before = expected.success ? undefined : await revision();
            const result = await client.callTool({
              name: tool.name,
              arguments: input as Record<string, unknown>,
            });
            const text = textOf(result);
            if (unknown.length > 0) {
              assert.ok(
                text.includes(
                  `Ignored unknown argument${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}:`,
                ),
                `${tool.name} names the arguments it ignored (${unknown.join(', ')}): ${text}`,
              );
            }
            if (expected.success) {
              assert.equal(
                typeof result.isError === 'boolean' || result.structuredContent !== undefined,
                true,
              );
              return;
            }
            assert.equal(
              result.isError,
              true,
              `${tool.name} accepted invalid input ${JSON.stringify(input)}`,
            );
            assert.match(text, /Invalid input/, `${tool.name}: ${text}`);
            const fields = expected.error.issues.map((issue) => String(issue.path[0] ?? '(arguments)'));
            assert.ok(
              fields.some((field) => text.includes(field)),
              `${tool.name}: the error names none of ${fields.join(', ')}: ${text}`,
            );
            assert.equal(await revision(), before, `${tool.name} wrote to Kubernetes on invalid input`);
          }),
          {
            numRuns: runsPerTool,
            seed: Number(process.env.FUZZ_SEED ?? 20261122),
            includeErrorInReport: true,
          },
        );
      }
      const health = await fetch(`${api.url}/healthz`);
      assert.equal(health.status, 200);
    });
  },
);
