// Emulator-only: counting traffic and interrupting watches are emulator controls.
import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { type KubeEmulator, startKubeEmulator } from '../../src/kube/index.js';

const CONFIGMAPS = '/api/v1/namespaces/apps/configmaps';

describe('emulator traffic and watch interruptions', () => {
  let kube: KubeEmulator;
  before(async () => {
    kube = await startKubeEmulator({ stepDelayMs: 0, namespaces: ['apps'], tls: false });
  });
  after(async () => {
    await kube.close();
  });

  const headers = () => ({ authorization: `Bearer ${kube.token}`, 'content-type': 'application/json' });

  async function createConfigMap(name: string): Promise<string> {
    const response = await fetch(`${kube.url}${CONFIGMAPS}`, {
      method: 'POST',
      headers: headers(),
      body: JSON.stringify({ metadata: { name }, data: { a: '1' } }),
    });
    assert.equal(response.status, 201);
    return ((await response.json()) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
  }

  /** Opens a watch and collects its events until the stream ends or breaks. */
  function watch(query: string): {
    events: { type: string; object: { code?: number } }[];
    ended: Promise<string>;
  } {
    const events: { type: string; object: { code?: number } }[] = [];
    const ended = new Promise<string>((resolve) => {
      const req = request(`${kube.url}${CONFIGMAPS}?watch=true&${query}`, { headers: headers() }, (res) => {
        let buffered = '';
        res.on('data', (chunk: Buffer) => {
          buffered += chunk.toString();
          const lines = buffered.split('\n');
          buffered = lines.pop() ?? '';
          for (const line of lines) if (line) events.push(JSON.parse(line));
        });
        res.on('end', () => resolve('ended'));
        res.on('error', () => resolve('broken'));
        res.on('aborted', () => resolve('broken'));
      });
      req.on('error', () => resolve('broken'));
      req.end();
    });
    return { events, ended };
  }

  const until = async (check: () => boolean) => {
    for (let i = 0; i < 200 && !check(); i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.ok(check(), 'check()');
  };

  test('counts requests, watches among them, and the connections they came on', async () => {
    kube.resetTraffic();
    const agent = new Agent({ keepAlive: true });
    for (let i = 0; i < 3; i += 1) {
      await new Promise<void>((resolve, reject) => {
        request(`${kube.url}${CONFIGMAPS}`, { headers: headers(), agent }, (res) => {
          res.resume();
          res.on('end', resolve);
        })
          .on('error', reject)
          .end();
      });
    }
    agent.destroy();
    const stream = watch('resourceVersion=0');
    await until(() => kube.traffic().watches === 1);
    assert.deepEqual(kube.traffic(), { requests: 4, watches: 1, connections: 2 });
    kube.interruptWatches();
    await stream.ended;
  });

  test('ending watches cleanly: a client resumes from its last resourceVersion', async () => {
    const rv = await createConfigMap('before-end');
    const first = watch(`resourceVersion=${rv}`);
    await until(() => kube.traffic().watches > 0);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(kube.interruptWatches(), 1);
    assert.equal(await first.ended, 'ended');
    await createConfigMap('after-end');
    const resumed = watch(`resourceVersion=${rv}`);
    await until(() => resumed.events.some((event) => event.type === 'ADDED'));
    kube.interruptWatches();
    await resumed.ended;
  });

  test('with expire, resuming from an earlier resourceVersion gets 410 Gone', async () => {
    const rv = await createConfigMap('before-expire');
    const stream = watch(`resourceVersion=${rv}`);
    await createConfigMap('seen-by-the-watch');
    await until(() => stream.events.length > 0);
    kube.interruptWatches({ expire: true });
    assert.equal(await stream.ended, 'ended');
    const resumed = watch(`resourceVersion=${rv}`);
    assert.equal(await resumed.ended, 'ended');
    assert.equal(resumed.events[0]?.type, 'ERROR');
    assert.equal(resumed.events[0]?.object.code, 410);
  });

  test('with drop, the watch connection is cut', async () => {
    const stream = watch('resourceVersion=0');
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(kube.interruptWatches({ drop: true }), 1);
    assert.equal(await stream.ended, 'broken');
  });
});
