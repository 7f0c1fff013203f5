/**
 * The simulated kubelet's admission (reference/nodes/admission.ts) against upstream's
 * nodeports.Fits / HostPortInfo.CheckConflict cases (pkg/scheduler/framework/plugins/nodeports
 * node_ports_test.go, kube-scheduler framework types_test.go).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1ContainerPort, V1Pod } from '@kubernetes/client-node';
import { admit, conflicts, hostPorts } from '../reference/nodes/admission.ts';

const pod = (...ports: V1ContainerPort[]): V1Pod => ({ spec: { containers: [{ name: 'c', ports }] } });
const port = (spec: string): V1ContainerPort => {
  // "UDP/127.0.0.1/8080", as newPod in node_ports_test.go writes them.
  const [protocol, hostIP, p] = spec.split('/');
  return { protocol, hostIP, hostPort: Number(p), containerPort: Number(p) };
};

test('host ports: containers and sidecar init containers only, defaults 0.0.0.0 and TCP', () => {
  const p: V1Pod = {
    spec: {
      initContainers: [
        { name: 'once', ports: [{ containerPort: 1, hostPort: 1 }] },
        { name: 'sidecar', restartPolicy: 'Always', ports: [{ containerPort: 2, hostPort: 2, protocol: 'UDP' }] },
      ],
      containers: [{ name: 'c', ports: [{ containerPort: 80 }, { containerPort: 3, hostPort: 3, hostIP: '10.0.0.1' }] }],
    },
  };
  assert.deepEqual(hostPorts(p), [
    { ip: '0.0.0.0', protocol: 'UDP', port: 2 },
    { ip: '10.0.0.1', protocol: 'TCP', port: 3 },
  ]);
});

test('conflicts as HostPortInfo.CheckConflict', () => {
  const cases: [string, string[], boolean][] = [
    ['TCP/127.0.0.1/8080', ['UDP/127.0.0.1/8080'], false], // other protocol
    ['TCP/127.0.0.1/8080', ['TCP/127.0.0.1/8080'], true],
    ['TCP/127.0.0.1/8080', ['TCP/127.0.0.1/8081'], false],
    ['TCP/127.0.0.2/8080', ['TCP/127.0.0.1/8080'], false], // other address
    ['TCP/0.0.0.0/8080', ['TCP/127.0.0.1/8080'], true], // all addresses
    ['TCP/127.0.0.1/8080', ['TCP/0.0.0.0/8080'], true],
    ['UDP/0.0.0.0/8080', ['TCP/0.0.0.0/8080'], false],
  ];
  for (const [want, used, expected] of cases) {
    const [w] = hostPorts(pod(port(want)));
    assert.equal(conflicts(w!, hostPorts(pod(...used.map(port)))), expected, `${want} vs ${used.join(',')}`);
  }
});

test("admit: rejectPod's reason and message, or nothing", () => {
  const holder = pod({ containerPort: 21017, hostPort: 21017 });
  assert.deepEqual(admit(pod({ containerPort: 21017, hostPort: 21017, name: 'conflict' }), [holder]), {
    reason: 'NodePorts',
    message: "Pod was rejected: Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports",
  });
  assert.equal(admit(pod({ containerPort: 21017 }), [holder]), undefined, 'a container port without a host port');
  assert.equal(admit(pod({ containerPort: 21017, hostPort: 21017 }), []), undefined);
});
