import assert from 'node:assert/strict';
import { test } from 'node:test';
import { identityFromClaims, OWNER_LABEL } from '../../src/identity.js';
import {
  accessFor,
  PolicyDenied,
  parsePolicy,
  requireObjectStoreAllowed,
  requireSnapshotClassAllowed,
} from '../../src/policy.js';

const person = (sub: string) =>
  identityFromClaims({ iss: 'https://tenant.example/', sub }, ['mcp:read', 'mcp:write'], 'groups');
const alice = person('alice');
const bob = person('bob');
const store = (name: string, owner?: string) => ({
  metadata: { name, ...(owner ? { labels: { [OWNER_LABEL]: owner } } : {}) },
});
const accessOf = (raw: unknown, who = alice) =>
  accessFor(parsePolicy(raw, 'test'), who, ['*'], true, 'mcp:write');
const refused = (run: () => void, pattern: RegExp) =>
  assert.throws(run, (error: unknown) => error instanceof PolicyDenied && pattern.test(error.message));

test('by default: administrator-made object stores for everyone, a person’s own or someone else’s never', () => {
  const access = accessOf({});
  requireObjectStoreAllowed(access, alice, store('shared'));
  refused(
    () => requireObjectStoreAllowed(access, alice, store('mine', alice.userId)),
    /made through cnpg-mcp.*backupDestinations\.userObjectStores/,
  );
  refused(() => requireObjectStoreAllowed(access, alice, store('bobs', bob.userId)), /created by/);
  requireSnapshotClassAllowed(access, 'csi-snapshots');
});

test('userObjectStores lets a person use their own store, still never someone else’s', () => {
  const access = accessOf({ backupDestinations: { userObjectStores: true } });
  requireObjectStoreAllowed(access, alice, store('mine', alice.userId));
  refused(() => requireObjectStoreAllowed(access, alice, store('bobs', bob.userId)), /created by/);
});

test('named stores and snapshot classes limit the choice; admins are not limited', () => {
  const raw = { backupDestinations: { objectStores: ['shared'], volumeSnapshotClasses: ['csi-snapshots'] } };
  const access = accessOf(raw);
  requireObjectStoreAllowed(access, alice, store('shared'));
  refused(
    () => requireObjectStoreAllowed(access, alice, store('finance')),
    /not an allowed backup destination \(allowed: shared\).*backupDestinations\.objectStores/,
  );
  refused(() => requireSnapshotClassAllowed(access, 'fast'), /backupDestinations\.volumeSnapshotClasses/);
  const admin = accessOf({ ...raw, admins: { subjects: ['alice'] } });
  requireObjectStoreAllowed(admin, alice, store('bobs', bob.userId));
  requireSnapshotClassAllowed(admin, 'fast');
});

test('a policy naming a store wrongly is refused at load', () => {
  assert.throws(
    () => parsePolicy({ backupDestinations: { objectStores: ['Not A Name'] } }, 'p.json'),
    /backupDestinations\.objectStores\.0: expected a Kubernetes object name/,
  );
});
