/**
 * The reference's strategic merge patch (reference/apiserver/strategic-merge.ts) against
 * upstream's own test cases: test/fixtures/strategicpatch-cases.json is copied from
 * k8s.io/apimachinery@v0.37.2 pkg/util/strategicpatch/patch_test.go by
 * scripts/gen-strategicpatch-fixtures.ts, and each patch there is applied as upstream's
 * testPatchApplication applies it, with upstream's MergeItem struct as the schema. Then the
 * served kinds' own schema, on the patches that matter to StatefulSets.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import type { JsonObject, JsonValue } from '../reference/apiserver/json.ts';
import { patchSchemaOf, sliceStable, StrategicMergeError, strategicMergePatch, type PatchTable, type Schema } from '../reference/apiserver/strategic-merge.ts';
import { applyPatch } from '../reference/apiserver/patch.ts';
import { ApiError } from '../reference/apiserver/errors.ts';

const fixtures = JSON.parse(readFileSync(new URL('./fixtures/strategicpatch-cases.json', import.meta.url), 'utf8')) as {
  createStrategicMergePatchTestCaseData: string;
  customStrategicMergePatchTestCaseData: string;
  customStrategicMergePatchRawTestCases: RawCase[];
  strategicMergePatchRawTestCases: RawCase[];
  replaceRawExtensionPatchTestCases: RawCase[];
  unknownFieldTestCases: Array<Record<string, string>>;
};

interface RawCase {
  description: string;
  original?: string;
  twoWay?: string;
  modified?: string;
  current?: string;
  threeWay?: string;
  result?: string;
  twoWayResult?: string;
  expectedError?: string;
}

/** patch_test.go's MergeItem and RetainKeysMergeItem, with their struct tags. */
const MERGE_ITEM: PatchTable = {
  mergeItem: {
    name: ['string', 'o'],
    value: ['string', 'o'],
    other: ['string', 'o'],
    mergingList: ['[]mergeItem', 'o', 'merge', 'name'],
    nonMergingList: ['[]mergeItem', 'o'],
    mergingIntList: ['[]int', 'o', 'merge'],
    nonMergingIntList: ['[]int', 'o'],
    mergeItemPtr: ['mergeItem', 'op', 'merge', 'name'],
    simpleMap: ['map:string', 'o'],
    replacingItem: ['raw', 'o', 'replace'],
    jsonItem: ['jsonItem', 'o'],
    retainKeysMap: ['retainKeysMergeItem', 'o', 'retainKeys'],
    retainKeysMergingList: ['[]mergeItem', 'o', 'merge,retainKeys', 'name'],
  },
  retainKeysMergeItem: {
    name: ['string', 'o'],
    value: ['string', 'o'],
    other: ['string', 'o'],
    simpleMap: ['map:string', 'o'],
    mergingIntList: ['[]int', 'o', 'merge'],
    mergingList: ['[]mergeItem', 'o', 'merge', 'name'],
    nonMergingList: ['[]mergeItem', 'o'],
  },
  jsonItem: { Raw: ['bytes', ''] },
};
const mergeItem: Schema = { table: MERGE_ITEM, type: 'mergeItem' };

/** sigs.k8s.io/yaml's YAMLToJSON: YAML 1.1 (go-yaml v2), so `yes` is a boolean there too. */
const yaml = (text: string | undefined): JsonObject => (text === undefined ? {} : ((parse(text, { version: '1.1' }) as JsonObject | null) ?? {}));

/** json.Marshal of a map: keys sorted, list order kept. */
function marshal(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(marshal).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${marshal(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

const goString = (v: unknown): string => (v === null || v === undefined ? '<nil>' : String(v));

/** patch.go's sortMergeListsByNameMap (a test helper upstream): merging lists sorted by merge key, scalars deduplicated and sorted. */
function sortMergeLists(o: JsonObject, s: Schema): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(o)) {
    let nv = v;
    if (k === '$retainKeys' || k.startsWith('$deleteFromPrimitiveList')) nv = [...(v as JsonValue[])].sort((a, b) => (goString(a) <= goString(b) ? -1 : 1));
    else if (!k.startsWith('$setElementOrder') && k !== '$patch' && v !== null && typeof v === 'object') {
      const field = s.table[s.type]?.[k];
      if (!field) throw new Error(`unable to find api field ${k}`);
      const type = field[0];
      if (!Array.isArray(v)) nv = sortMergeLists(v, { table: s.table, type });
      else if ((field[2] ?? '').split(',').includes('merge') && v.length > 0) {
        const elem: Schema = { table: s.table, type: type.replace(/^\[\]/, '') };
        if (v.every((x) => x !== null && typeof x === 'object' && !Array.isArray(x))) {
          const key = field[3] ?? '';
          nv = v.map((x) => sortMergeLists(x as JsonObject, elem));
          nv.sort((a, b) => (goString((a as JsonObject)[key]) <= goString((b as JsonObject)[key]) ? -1 : 1));
        } else {
          nv = [...new Set(v)].sort((a, b) => (goString(a) <= goString(b) ? -1 : 1));
        }
      }
    }
    out[k] = nv;
  }
  return out;
}

/** testPatchApplication: the result, json.Marshal-ed, or the error. */
function apply(original: JsonObject, patch: JsonObject, schema: Schema = mergeItem): string {
  return marshal(strategicMergePatch(structuredClone(original), structuredClone(patch), schema));
}

function yamlTable(text: string): Array<Record<string, JsonObject | string>> {
  return (parse(text, { version: '1.1' }) as { testCases: Array<Record<string, JsonObject | string>> }).testCases;
}

describe('strategic merge patch: upstream patch_test.go cases', () => {
  for (const [table, text] of [
    ['createStrategicMergePatchTestCaseData', fixtures.createStrategicMergePatchTestCaseData],
    ['customStrategicMergePatchTestCaseData', fixtures.customStrategicMergePatchTestCaseData],
  ] as const) {
    it(`${table}: every two-way and three-way patch gives the expected object (lists sorted as upstream's test sorts them)`, () => {
      const cases = yamlTable(text);
      assert.ok(cases.length > 10);
      let applied = 0;
      for (const c of cases) {
        const sorted = (o: unknown) => sortMergeLists((o as JsonObject | undefined) ?? {}, mergeItem);
        const expectTwoWay = c.twoWayResult ?? c.modified;
        if (c.twoWay !== undefined && expectTwoWay !== undefined) {
          assert.equal(apply(sorted(c.original), sorted(c.twoWay)), marshal(sorted(expectTwoWay)), `${c.description as string} (two-way)`);
          applied++;
        }
        if (c.threeWay !== undefined && c.result !== undefined) {
          assert.equal(apply(sorted(c.current), sorted(c.threeWay)), marshal(sorted(c.result)), `${c.description as string} (three-way)`);
          applied++;
        }
      }
      assert.ok(applied >= cases.length, `${applied} patches applied for ${cases.length} cases`);
    });
  }

  for (const table of ['customStrategicMergePatchRawTestCases', 'strategicMergePatchRawTestCases', 'replaceRawExtensionPatchTestCases'] as const) {
    it(`${table}: every patch gives the expected object, list order included, or the expected error`, () => {
      const cases = fixtures[table];
      assert.ok(cases.length > 0);
      for (const c of cases) {
        const check = (original: string | undefined, patch: string, expected: string | undefined, how: string) => {
          const name = `${c.description} (${how})`;
          if (c.expectedError) {
            assert.throws(() => apply(yaml(original), yaml(patch)), (e: Error) => e instanceof StrategicMergeError && e.message.includes(c.expectedError!), name);
            return;
          }
          assert.equal(apply(yaml(original), yaml(patch)), marshal(yaml(expected)), name);
        };
        if (c.twoWay !== undefined) check(c.original, c.twoWay, c.twoWayResult ?? c.modified, 'two-way');
        if (c.threeWay !== undefined && c.result !== undefined) check(c.current, c.threeWay, c.result, 'three-way');
      }
    });
  }

  it('TestUnknownField: fields the schema does not know are taken from the patch, nulls discarded', () => {
    let applied = 0;
    for (const c of fixtures.unknownFieldTestCases) {
      // "diff" has no patch: upstream cannot create one from MergeItem's struct.
      if (c.expectedTwoWay === undefined) continue;
      // "json": upstream fails applying it with the struct schema (`nested` is not a field of
      // struct{Raw []byte}) and succeeds with the OpenAPI ones; the reference takes the
      // OpenAPI schemas' result, as it does for any key its live object holds that the schema
      // lacks (strategic-merge.ts, header).
      assert.equal(apply(JSON.parse(c.original!), JSON.parse(c.expectedTwoWay)), c.expectedTwoWayResult, `${c.description} (two-way)`);
      assert.equal(apply(JSON.parse(c.current!), JSON.parse(c.expectedThreeWay!)), c.expectedThreeWayResult, `${c.description} (three-way)`);
      applied++;
    }
    assert.equal(applied, fixtures.unknownFieldTestCases.length - 1);
  });
});

describe('strategic merge patch: Go sort.SliceStable', () => {
  it('orders as Go does under the non-strict comparison normalizeSliceOrder gives it', () => {
    // less(a, b) is true whenever a is not in the order list: insertion sort then moves such
    // items towards the end, one swap at a time.
    const order = ['c', 'b'];
    const items = ['a', 'b', 'c'];
    sliceStable(items, (x, y) => {
      const i = order.indexOf(x);
      if (i >= 0) {
        const j = order.indexOf(y);
        if (j >= 0) return i < j;
      }
      return true;
    });
    assert.deepEqual(items, ['c', 'b', 'a']);
  });

  it('is a stable sort for a strict order, across the block size of 20', () => {
    const items = Array.from({ length: 100 }, (_, i) => ({ k: (i * 37) % 10, i }));
    sliceStable(items, (a, b) => a.k < b.k);
    const expected = [...items].sort((a, b) => a.k - b.k || a.i - b.i);
    assert.deepEqual(items, expected);
  });
});

describe('strategic merge patch: the served kinds', () => {
  const set = (): JsonObject => ({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'test-ss', namespace: 'ns' },
    spec: {
      replicas: 1,
      template: {
        metadata: { labels: { name: 'sample-pod' } },
        spec: {
          containers: [
            {
              name: 'webserver',
              image: 'registry.k8s.io/e2e-test-images/agnhost:2.56',
              ports: [{ containerPort: 80, protocol: 'TCP' }],
              env: [{ name: 'A', value: '1' }],
              volumeMounts: [{ name: 'data', mountPath: '/data' }],
            },
          ],
          tolerations: [{ key: 'a', operator: 'Exists' }],
          volumes: [{ name: 'data', emptyDir: {} }],
          terminationGracePeriodSeconds: 30,
        },
      },
    },
  });
  const sts = patchSchemaOf('apps/v1/StatefulSet');
  const podSpec = (o: JsonObject) => ((o.spec as JsonObject).template as JsonObject).spec as JsonObject;

  it('e2e "should list, patch and delete a collection of StatefulSets": the patched container goes first', () => {
    // The patch of test/e2e/apps/statefulset.go at v1.37.2: its container is named after the
    // set, not after the fixture's "webserver", so it is added, and patch items come first.
    const patch = {
      metadata: { labels: { 'test-ss': 'patched' } },
      spec: {
        replicas: 2,
        template: { spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'test-ss', image: 'registry.k8s.io/pause:3.10.1' }] } },
      },
    };
    const out = strategicMergePatch(set(), patch, sts);
    const containers = podSpec(out).containers as JsonObject[];
    assert.deepEqual(
      containers.map((c) => [c.name, c.image]),
      [
        ['test-ss', 'registry.k8s.io/pause:3.10.1'],
        ['webserver', 'registry.k8s.io/e2e-test-images/agnhost:2.56'],
      ],
    );
    assert.equal(podSpec(out).terminationGracePeriodSeconds, 1);
    assert.equal((out.spec as JsonObject).replicas, 2);
    assert.deepEqual((out.metadata as JsonObject).labels, { 'test-ss': 'patched' });
  });

  it('merges containers by name, ports by containerPort, env by name, volumeMounts by mountPath, volumes by name; replaces tolerations', () => {
    const patch = {
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'webserver',
                image: 'nginx:2',
                ports: [{ containerPort: 8080 }],
                env: [{ name: 'A', value: '2' }],
                volumeMounts: [{ mountPath: '/data', readOnly: true }],
              },
            ],
            volumes: [{ name: 'data', emptyDir: { medium: 'Memory' } }],
            tolerations: [{ key: 'b', operator: 'Exists' }],
          },
        },
      },
    };
    const spec = podSpec(strategicMergePatch(set(), patch, sts));
    const c = (spec.containers as JsonObject[])[0]!;
    assert.equal(c.image, 'nginx:2');
    assert.deepEqual(c.ports, [{ containerPort: 8080 }, { containerPort: 80, protocol: 'TCP' }]);
    assert.deepEqual(c.env, [{ name: 'A', value: '2' }]);
    assert.deepEqual(c.volumeMounts, [{ name: 'data', mountPath: '/data', readOnly: true }]);
    assert.deepEqual(spec.volumes, [{ name: 'data', emptyDir: { medium: 'Memory' } }]);
    assert.deepEqual(spec.tolerations, [{ key: 'b', operator: 'Exists' }]);
  });

  it('volumes honour $retainKeys (patchStrategy merge,retainKeys): switching a volume source drops the old one', () => {
    const patch = { spec: { template: { spec: { volumes: [{ name: 'data', hostPath: { path: '/tmp' }, $retainKeys: ['hostPath', 'name'] }] } } } };
    assert.deepEqual(podSpec(strategicMergePatch(set(), patch, sts)).volumes, [{ name: 'data', hostPath: { path: '/tmp' } }]);
  });

  it('$patch: delete and replace in lists and maps; $setElementOrder; $deleteFromPrimitiveList on finalizers', () => {
    const base = set();
    (base.metadata as JsonObject).finalizers = ['a', 'b', 'c'];
    podSpec(base).containers = [
      { name: 'x', image: 'x' },
      { name: 'y', image: 'y' },
      { name: 'z', image: 'z' },
    ];
    podSpec(base).securityContext = { runAsGroup: 2 };
    const patch: JsonObject = {
      metadata: { '$deleteFromPrimitiveList/finalizers': ['b'] },
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'z' }, { name: 'w' }, { name: 'x' }],
            containers: [{ name: 'w', image: 'w' }, { name: 'y', $patch: 'delete' }],
            securityContext: { $patch: 'replace', runAsUser: 1 },
            dnsConfig: { $patch: 'replace', options: [] },
          },
        },
      },
    };
    const out = strategicMergePatch(base, patch, sts);
    assert.deepEqual((out.metadata as JsonObject).finalizers, ['a', 'c']);
    assert.deepEqual((podSpec(out).containers as JsonObject[]).map((c) => c.name), ['z', 'w', 'x']);
    assert.deepEqual(podSpec(out).securityContext, { runAsUser: 1 });
    // A map carrying a directive for a key the object lacks is dropped whole (removeDirectives).
    assert.equal(podSpec(out).dnsConfig, undefined);
    const replaced = strategicMergePatch(set(), { spec: { template: { spec: { containers: [{ name: 'only', image: 'o' }, { $patch: 'replace' }] } } } }, sts);
    assert.deepEqual(podSpec(replaced).containers, [{ name: 'only', image: 'o' }]);
  });

  it('status conditions merge by type with the patched ones first; ownerReferences by uid', () => {
    const pod = patchSchemaOf('v1/Pod');
    const out = strategicMergePatch(
      {
        metadata: { name: 'p', ownerReferences: [{ uid: '1', name: 'a' }] },
        status: {
          conditions: [
            { type: 'PodScheduled', status: 'True' },
            { type: 'Ready', status: 'False' },
          ],
        },
      },
      { metadata: { ownerReferences: [{ uid: '2', name: 'b' }] }, status: { conditions: [{ type: 'Ready', status: 'True' }] } },
      pod,
    );
    assert.deepEqual(out.status, {
      conditions: [
        { type: 'PodScheduled', status: 'True' },
        { type: 'Ready', status: 'True' },
      ],
    });
    assert.deepEqual((out.metadata as JsonObject).ownerReferences, [
      { uid: '2', name: 'b' },
      { uid: '1', name: 'a' },
    ]);
  });

  it('answers bad patches as kube-apiserver does: 400 for malformed directives, 500 for the rest', () => {
    const call = (patch: unknown) => applyPatch('application/strategic-merge-patch+json', set(), patch, 'apps/v1/StatefulSet');
    const status = (patch: unknown): [number, string] => {
      try {
        call(patch);
      } catch (e) {
        assert.ok(e instanceof ApiError);
        return [e.code, e.message];
      }
      return [200, ''];
    };
    assert.deepEqual(status({ spec: { template: { spec: { containers: [{ image: 'x' }] } } } }), [500, 'map: map[image:x] does not contain declared merge key: name']);
    assert.deepEqual(status({ spec: { '$setElementOrder/': [] } }), [500, 'unable to find api field in struct StatefulSetSpec for the json field ""']);
    assert.deepEqual(status({ spec: { $setElementOrder: [] } }), [400, 'invalid patch format of setElementOrder list']);
    assert.deepEqual(status({ spec: { $retainKeys: 'x' } }), [400, 'invalid patch format of retainKeys']);
    assert.deepEqual(status({ spec: { $patch: 'merge' } }), [500, 'unknown patch type: merge in map: map[$patch:merge]']);
    assert.deepEqual(status([]), [400, 'json: cannot unmarshal array into Go value of type map[string]interface {}']);
    assert.deepEqual(status(null), [200, '']);
    // ControllerRevision data is a RawExtension: no field of it can be merged into.
    assert.throws(
      () => applyPatch('application/strategic-merge-patch+json', { data: { spec: { a: 1 } } }, { data: { spec: { a: 2 } } }, 'apps/v1/ControllerRevision'),
      (e: Error) => e instanceof ApiError && e.code === 500 && e.message === 'unable to find api field in struct RawExtension for the json field "spec"',
    );
  });
});
