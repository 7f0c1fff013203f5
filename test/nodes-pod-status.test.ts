import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Pod } from '@kubernetes/client-node';
import { IpBlock } from '../reference/nodes/ip-allocator.ts';
import { readinessDrift, runningStatus, terminalPhase, terminatedStatus } from '../reference/nodes/pod-status.ts';

const t0 = new Date('2026-01-01T00:00:00Z');
const t1 = new Date('2026-01-01T00:00:10Z');

function pod(gates: string[] = [], conditions: NonNullable<V1Pod['status']>['conditions'] = []): V1Pod {
  return {
    metadata: { name: 'web-0', namespace: 'ns', uid: 'u1' },
    spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }], readinessGates: gates.map((conditionType) => ({ conditionType })) },
    status: { phase: 'Pending', conditions },
  };
}

const run = { podIP: '10.244.0.2', hostIP: '172.18.0.2', startTime: t0, startedAt: t0, containerIdPrefix: 'u1', ready: true };
const cond = (p: { conditions?: Array<{ type: string }> }, type: string) => p.conditions?.find((c) => c.type === type);

test('a started pod without gates is Running and Ready', () => {
  const s = runningStatus(pod(), run, t0);
  assert.equal(s.phase, 'Running');
  assert.equal(s.podIP, '10.244.0.2');
  assert.equal(s.containerStatuses?.[0]?.ready, true);
  assert.equal(s.containerStatuses?.[0]?.restartCount, 0);
  for (const type of ['PodReadyToStartContainers', 'Initialized', 'ContainersReady', 'Ready', 'PodScheduled']) {
    assert.equal((cond(s, type) as { status?: string } | undefined)?.status, 'True', type);
  }
});

test('readiness gates: missing or False gate keeps Ready False with the kubelet message', () => {
  const missing = runningStatus(pod(['example.com/ready']), run, t0);
  assert.deepEqual(
    { ...cond(missing, 'Ready'), lastTransitionTime: undefined },
    { type: 'Ready', status: 'False', reason: 'ReadinessGatesNotReady', message: 'corresponding condition of pod readiness gate "example.com/ready" does not exist.', lastTransitionTime: undefined },
  );
  const falseGate = runningStatus(pod(['example.com/ready'], [{ type: 'example.com/ready', status: 'False' }]), run, t0);
  assert.equal((cond(falseGate, 'Ready') as { message?: string }).message, 'the status of pod readiness gate "example.com/ready" is not "True", but False');
  assert.equal((cond(falseGate, 'ContainersReady') as { status?: string }).status, 'True');
});

test('readinessDrift: flips Ready when a gate turns True, keeps lastTransitionTime otherwise', () => {
  const p = pod(['g']);
  p.status = { ...runningStatus(p, run, t0) };
  assert.equal(readinessDrift(p, t1), undefined, 'no change, no patch');
  p.status.conditions = [...(p.status.conditions ?? []), { type: 'g', status: 'True' }];
  const drift = readinessDrift(p, t1)!;
  const ready = drift.find((c) => c.type === 'Ready')!;
  assert.equal(ready.status, 'True');
  assert.equal(ready.lastTransitionTime, t1);
  const containersReady = drift.find((c) => c.type === 'ContainersReady')!;
  assert.equal(containersReady.lastTransitionTime, t0, 'unchanged status keeps its transition time');
});

test('container readiness: unready containers make ContainersReady and Ready False', () => {
  const s = runningStatus(pod(), { ...run, ready: false }, t0);
  assert.equal((cond(s, 'Ready') as { reason?: string }).reason, 'ContainersNotReady');
  assert.equal((cond(s, 'Ready') as { message?: string }).message, 'containers with unready status: [nginx]');
});

test('terminal phase follows container exit codes (kubelet getPhase with podIsTerminal)', () => {
  assert.equal(terminalPhase(0), 'Succeeded');
  assert.equal(terminalPhase(137), 'Failed');
  const p = pod();
  p.status = runningStatus(p, run, t0);
  const s = terminatedStatus(p, 137, t1);
  assert.equal(s.phase, 'Failed');
  assert.equal(s.containerStatuses?.[0]?.state?.terminated?.exitCode, 137);
  assert.equal(s.containerStatuses?.[0]?.ready, false);
  assert.equal((cond(s, 'Ready') as { reason?: string }).reason, 'PodFailed');
});

test('IpBlock: unique addresses, no reuse while in use, released addresses come back last', () => {
  const block = IpBlock.forNode('10.244.0.0', 1, 8);
  assert.equal(block.cidr, '10.244.0.8/29');
  const ips = [block.allocate(), block.allocate(), block.allocate(), block.allocate(), block.allocate()];
  assert.equal(new Set(ips).size, 5);
  assert.ok(ips.every((ip) => block.contains(ip) && ip !== block.gateway));
  assert.throws(() => block.allocate(), /exhausted/);
  block.release(ips[2]!);
  assert.equal(block.allocate(), ips[2]);
});
