/**
 * DNS on real clusters is `nslookup` (busybox 1.36, registry.k8s.io/e2e-test-images/busybox)
 * run in a probe pod; these are its outputs as busybox prints them, and what the harness reads.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeExecError, parseNslookup } from '../support/targets/cluster-dns.ts';

const HEADER = 'Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n';

test('A records: the answers after the header, not the DNS server\'s own address', () => {
  const out = `${HEADER}Name:\tweb-0.web.ns.svc.cluster.local\nAddress: 10.244.1.5\n\n`;
  assert.deepEqual(parseNslookup('web-0.web.ns.svc.cluster.local', 'A', out, '', 0), [
    { type: 'A', name: 'web-0.web.ns.svc.cluster.local', address: '10.244.1.5' },
  ]);
});

test('several A records', () => {
  const out = `${HEADER}Name:\tweb.ns.svc.cluster.local\nAddress: 10.244.1.5\nName:\tweb.ns.svc.cluster.local\nAddress: 10.244.2.7\n\n`;
  assert.deepEqual(
    parseNslookup('web.ns.svc.cluster.local', 'A', out, '', 0).map((a) => (a.type === 'A' ? a.address : '')),
    ['10.244.1.5', '10.244.2.7'],
  );
});

test('SRV records: priority, weight, port and target', () => {
  const out =
    `${HEADER}_web._tcp.web.ns.svc.cluster.local\tservice = 0 50 80 web-0.web.ns.svc.cluster.local\n` +
    '_web._tcp.web.ns.svc.cluster.local\tservice = 0 50 80 web-1.web.ns.svc.cluster.local\n\n';
  assert.deepEqual(parseNslookup('_web._tcp.web.ns.svc.cluster.local', 'SRV', out, '', 0), [
    { type: 'SRV', name: '_web._tcp.web.ns.svc.cluster.local', priority: 0, weight: 50, port: 80, target: 'web-0.web.ns.svc.cluster.local' },
    { type: 'SRV', name: '_web._tcp.web.ns.svc.cluster.local', priority: 0, weight: 50, port: 80, target: 'web-1.web.ns.svc.cluster.local' },
  ]);
});

test('NXDOMAIN and "no answer" are empty answers, not errors', () => {
  assert.deepEqual(parseNslookup('web-3.web.ns.svc.cluster.local', 'A', HEADER, "** server can't find web-3.web.ns.svc.cluster.local: NXDOMAIN\n", 1), []);
  assert.deepEqual(parseNslookup('web.ns.svc.cluster.local', 'A', `${HEADER}*** Can't find web.ns.svc.cluster.local: No answer\n\n`, '', 0), []);
});

test('no DNS server reached: an error with nslookup\'s words', () => {
  assert.throws(
    () => parseNslookup('x.ns.svc.cluster.local', 'A', '', ';; connection timed out; no servers could be reached\n', 1),
    /nslookup x\.ns\.svc\.cluster\.local \(A\) failed with exit code 1: ;; connection timed out; no servers could be reached/,
  );
});

describe('describeExecError: what a failed exec rejected with, never "[object Object]"', () => {
  test('an ErrorEvent-like object from the WebSocket gives its error message', () => {
    assert.equal(describeExecError({ type: 'error', error: new Error('Unexpected server response: 404'), message: 'Unexpected server response: 404' }), 'Unexpected server response: 404');
    assert.equal(describeExecError({ type: 'error', error: { message: 'socket hang up' } }), 'socket hang up');
  });
  test('an Error gives its message; a plain object its JSON; an empty event its type', () => {
    assert.equal(describeExecError(new Error('boom')), 'boom');
    assert.equal(describeExecError({ code: 403, reason: 'Forbidden' }), '{"code":403,"reason":"Forbidden"}');
    assert.equal(describeExecError({ type: 'close' }), '{"type":"close"}');
    assert.doesNotMatch(describeExecError(Object.create({ type: 'error' })), /\[object Object\]/);
  });
});
