Feature: The StatefulSet API
  The API server defaults, validates and versions StatefulSets the same way on every
  conforming cluster, and serves the status and scale subresources.

  @guarantee:G-01
  Scenario: A minimal StatefulSet is defaulted
    When I create a StatefulSet from:
      """
      apiVersion: apps/v1
      kind: StatefulSet
      metadata: { name: web }
      spec:
        selector: { matchLabels: { app: web } }
        template:
          metadata: { labels: { app: web } }
          spec: { containers: [ { name: app, image: registry.k8s.io/pause:3.10 } ] }
      """
    Then StatefulSet "web" has:
      | spec.replicas                                          | 1            |
      | spec.podManagementPolicy                               | OrderedReady |
      | spec.revisionHistoryLimit                              | 10           |
      | spec.updateStrategy.type                               | RollingUpdate |
      | spec.updateStrategy.rollingUpdate.partition            | 0            |
      | spec.persistentVolumeClaimRetentionPolicy.whenDeleted  | Retain       |
      | spec.persistentVolumeClaimRetentionPolicy.whenScaled   | Retain       |
      | spec.template.spec.restartPolicy                       | Always       |
      | spec.template.spec.terminationGracePeriodSeconds       | 30           |

  # MaxUnavailableStatefulSet: beta since 1.35, on by default since 1.37. The defaulting and the
  # field itself live behind the gate (SetDefaults_StatefulSet, dropStatefulSetDisabledFields).
  @guarantee:G-01 @feature-gate:MaxUnavailableStatefulSet=true
  Scenario: maxUnavailable defaults to 1 while the MaxUnavailableStatefulSet gate is on
    When I create a StatefulSet "web" with 1 replica
    Then StatefulSet "web" has:
      | spec.updateStrategy.rollingUpdate.maxUnavailable | 1 |

  @guarantee:G-01 @feature-gate:MaxUnavailableStatefulSet=false
  Scenario: maxUnavailable is dropped on write while the MaxUnavailableStatefulSet gate is off
    When I create a StatefulSet "web" with:
      | replicas       | 1 |
      | maxUnavailable | 2 |
    Then StatefulSet "web" has no field "spec.updateStrategy.rollingUpdate.maxUnavailable"

  @guarantee:G-01
  Scenario: An explicit RollingUpdate strategy without a rollingUpdate block is not filled in
    When I create a StatefulSet "web" with:
      | replicas       | 1             |
      | updateStrategy | RollingUpdate |
    Then StatefulSet "web" has no field "spec.updateStrategy.rollingUpdate"

  @guarantee:G-01
  Scenario: Explicit zeros are kept, not replaced by defaults
    When I create a StatefulSet "web" with:
      | replicas             | 0 |
      | revisionHistoryLimit | 0 |
      | partition            | 0 |
    Then StatefulSet "web" has:
      | spec.replicas                               | 0 |
      | spec.revisionHistoryLimit                   | 0 |
      | spec.updateStrategy.rollingUpdate.partition | 0 |

  @guarantee:G-02
  Scenario: Create discards the status it is given and starts at generation 1
    When I create a StatefulSet from:
      """
      apiVersion: apps/v1
      kind: StatefulSet
      metadata: { name: web }
      spec:
        replicas: 0
        selector: { matchLabels: { app: web } }
        template:
          metadata: { labels: { app: web } }
          spec: { containers: [ { name: app, image: registry.k8s.io/pause:3.10 } ] }
      status: { replicas: 7, readyReplicas: 7, currentRevision: forged }
      """
    Then the response has:
      | metadata.generation | 1 |
    And the response has no field "status.currentRevision"
    And the response has no field "status.readyReplicas"

  @guarantee:G-03
  Scenario: Generation changes with the spec only, and each subresource keeps to its half
    Given a ready StatefulSet "web" with 1 replica
    When I patch StatefulSet "web" with:
      """
      metadata: { labels: { tier: frontend } }
      """
    Then StatefulSet "web" has:
      | metadata.generation | 1 |
    When I patch StatefulSet "web" with:
      """
      spec: { replicas: 2 }
      status: { replicas: 42 }
      """
    Then StatefulSet "web" has:
      | metadata.generation | 2 |
    And in the response, "status.replicas" is not "42"
    When I patch the status of StatefulSet "web" with:
      """
      spec: { replicas: 9 }
      status: { observedGeneration: 2 }
      """
    Then StatefulSet "web" has:
      | spec.replicas       | 2 |
      | metadata.generation | 2 |

  @guarantee:G-04
  Scenario Outline: An invalid StatefulSet is rejected with the field at fault: <case>
    When I try to create a StatefulSet "<name>" with:
      | <setting> | <value> |
    Then the request is rejected as "Invalid" on field "<field>"

    Examples:
      | case                        | name | setting                                   | value                 | field                                   |
      | negative replicas           | web  | replicas                                  | -1                    | spec.replicas                           |
      | negative minReadySeconds    | web  | minReadySeconds                           | -1                    | spec.minReadySeconds                    |
      | negative ordinals.start     | web  | ordinalsStart                             | -1                    | spec.ordinals.start                     |
      | unknown pod management      | web  | podManagementPolicy                       | Sometimes             | spec.podManagementPolicy                |
      | unknown update strategy     | web  | updateStrategy                            | Replace               | spec.updateStrategy                     |
      | negative partition          | web  | partition                                 | -1                    | spec.updateStrategy.rollingUpdate.partition |
      | selector not matching       | web  | spec.template.metadata.labels             | { app: other }        | spec.template.metadata.labels           |
      | empty selector              | web  | spec.selector                             | {}                    | spec.selector                           |
      | restartPolicy Never         | web  | spec.template.spec.restartPolicy          | Never                 | spec.template.spec.restartPolicy        |
      | activeDeadlineSeconds       | web  | spec.template.spec.activeDeadlineSeconds  | 10                    | spec.template.spec.activeDeadlineSeconds |
      | unknown retention policy    | web  | whenDeleted                               | Shred                 | spec.persistentVolumeClaimRetentionPolicy.whenDeleted |
      | name not a DNS label        | Web  | replicas                                  | 1                     | metadata.name                           |

    # Validated only while the gate keeps the field (ValidateStatefulSetSpec).
    @feature-gate:MaxUnavailableStatefulSet=true
    Examples: with MaxUnavailableStatefulSet on
      | case                        | name | setting                                   | value                 | field                                   |
      | zero maxUnavailable         | web  | maxUnavailable                            | 0                     | spec.updateStrategy.rollingUpdate.maxUnavailable |

  # StatefulSetRecreateStrategy is alpha (off by default) in 1.37, so validation still knows only
  # RollingUpdate and OnDelete (earlier releases reject the unknown type the same way).
  # ValidateStatefulSetUpdate validates the whole new spec, not only the immutable fields.
  @guarantee:G-04
  Scenario Outline: A change that would make the StatefulSet invalid is rejected: <case>
    When I create a StatefulSet "web" with 1 replica
    And I try to patch StatefulSet "web" with:
      """
      <patch>
      """
    Then the request is rejected as "Invalid" on field "<field>"
    And StatefulSet "web" has:
      | spec.replicas       | 1 |
      | metadata.generation | 1 |

    Examples:
      | case                             | patch                                                              | field                                       |
      | negative replicas                | spec: { replicas: -1 }                                             | spec.replicas                               |
      | negative partition               | spec: { updateStrategy: { rollingUpdate: { partition: -1 } } }     | spec.updateStrategy.rollingUpdate.partition |
      | template the selector misses     | spec: { template: { metadata: { labels: { app: other } } } }       | spec.template.metadata.labels               |

  @guarantee:G-04 @k8s:<=1.37 @feature-gate:StatefulSetRecreateStrategy=false
  Scenario: The Recreate update strategy is rejected while its feature gate is off
    When I try to create a StatefulSet "web" with:
      | updateStrategy | Recreate |
    Then the request is rejected as "Invalid" on field "spec.updateStrategy"
    And the request is rejected as "Invalid" with a message containing "must be 'RollingUpdate' or 'OnDelete'"

  @guarantee:G-04
  Scenario: OnDelete does not take a rollingUpdate block
    When I try to create a StatefulSet "web" with:
      | spec.updateStrategy | { type: OnDelete, rollingUpdate: { partition: 1 } } |
    Then the request is rejected as "Invalid" on field "spec.updateStrategy.rollingUpdate"

  # Kubernetes 1.37 replaced the one spec-wide Forbidden error with a per-field "field is
  # immutable" (ValidateStatefulSetUpdate in pkg/apis/apps/validation).
  @guarantee:G-05 @guarantee:G-47 @k8s:>=1.37
  Scenario Outline: <field> cannot be changed after creation
    Given a ready StatefulSet "web" with:
      | replicas            | 1    |
      | volumeClaimTemplate | data |
    When I try to patch StatefulSet "web" with:
      """
      <patch>
      """
    Then the request is rejected as "Invalid" on field "spec.<field>"
    And the request is rejected as "Invalid" with a message containing "field is immutable"

    Examples:
      | field                | patch                                                                                                   |
      | selector             | spec: { selector: { matchLabels: { app: web, extra: x } }, template: { metadata: { labels: { app: web, extra: x } } } } |
      | serviceName          | spec: { serviceName: elsewhere }                                                                        |
      | podManagementPolicy  | spec: { podManagementPolicy: Parallel }                                                                 |
      | volumeClaimTemplates | spec: { volumeClaimTemplates: [ { metadata: { name: data }, spec: { accessModes: [ReadWriteOnce], resources: { requests: { storage: 2Gi } } } } ] } |

  @guarantee:G-05 @guarantee:G-47 @k8s:<1.37
  Scenario Outline: <field> cannot be changed after creation (one spec-wide error before 1.37)
    Given a ready StatefulSet "web" with:
      | replicas            | 1    |
      | volumeClaimTemplate | data |
    When I try to patch StatefulSet "web" with:
      """
      <patch>
      """
    Then the request is rejected as "Invalid" on field "spec"
    And the request is rejected as "Invalid" with a message containing "updates to statefulset spec for fields other than"

    Examples:
      | field                | patch                                                                                                   |
      | selector             | spec: { selector: { matchLabels: { app: web, extra: x } }, template: { metadata: { labels: { app: web, extra: x } } } } |
      | serviceName          | spec: { serviceName: elsewhere }                                                                        |
      | podManagementPolicy  | spec: { podManagementPolicy: Parallel }                                                                 |
      | volumeClaimTemplates | spec: { volumeClaimTemplates: [ { metadata: { name: data }, spec: { accessModes: [ReadWriteOnce], resources: { requests: { storage: 2Gi } } } } ] } |

  @guarantee:G-05
  Scenario: The mutable fields can be changed
    Given a ready StatefulSet "web" with 1 replica
    When I patch StatefulSet "web" with:
      """
      spec:
        replicas: 2
        minReadySeconds: 1
        revisionHistoryLimit: 3
        ordinals: { start: 0 }
        persistentVolumeClaimRetentionPolicy: { whenDeleted: Delete, whenScaled: Retain }
        updateStrategy: { type: RollingUpdate, rollingUpdate: { partition: 1 } }
      """
    Then StatefulSet "web" has:
      | spec.replicas                                         | 2      |
      | spec.minReadySeconds                                  | 1      |
      | spec.revisionHistoryLimit                             | 3      |
      | spec.updateStrategy.rollingUpdate.partition           | 1      |
      | spec.persistentVolumeClaimRetentionPolicy.whenDeleted | Delete |

  @guarantee:G-06
  Scenario: A negative revisionHistoryLimit is accepted with a warning
    When I create a StatefulSet "web" with:
      | replicas             | 1  |
      | revisionHistoryLimit | -1 |
    Then the response carries a warning containing "a negative value retains all historical revisions"

  @guarantee:G-07
  Scenario Outline: The status subresource rejects an impossible status: <case>
    Given a ready StatefulSet "web" with 2 replicas
    When I try to patch the status of StatefulSet "web" with:
      """
      <patch>
      """
    Then the request is rejected as "Invalid" on field "<field>"

    Examples:
      | case                        | patch                                              | field                    |
      | negative replicas           | status: { replicas: -1 }                           | status.replicas          |
      | more ready than replicas    | status: { replicas: 2, readyReplicas: 3 }          | status.readyReplicas     |
      | more available than ready   | status: { replicas: 2, readyReplicas: 1, availableReplicas: 2 } | status.availableReplicas |

  @guarantee:G-08
  Scenario: The status subresource can be read, updated and patched
    Given a ready StatefulSet "web" with 1 replica
    When I patch the status of StatefulSet "web" with:
      """
      status: { conditions: [ { type: StatusUpdate, status: "True", reason: E2E, message: Set from a test } ] }
      """
    Then StatefulSet "web" has:
      | status.conditions[0].type   | StatusUpdate |
      | status.conditions[0].reason | E2E          |
      | status.readyReplicas        | 1            |

  @guarantee:G-09
  Scenario: The scale subresource reads and changes the replica count
    Given a ready StatefulSet "web" with 1 replica
    Then the scale of StatefulSet "web" has:
      | spec.replicas   | 1       |
      | status.replicas | 1       |
      | status.selector | app=web |
    When I set the scale of StatefulSet "web" to 2
    Then StatefulSet "web" becomes ready with 2 replicas
    When I patch the scale of StatefulSet "web" to 3
    Then StatefulSet "web" becomes ready with 3 replicas
    And StatefulSet "web" has:
      | metadata.generation | 3 |

  # A set-based selector matches pods that lack a NotIn key and pods whose Exists key has an
  # empty value (k8s.io/apimachinery/pkg/labels: Requirement.Matches); the scale subresource
  # publishes it in its canonical string form, which lists exactly the set's pods.
  @guarantee:G-09
  Scenario: A set-based selector selects the set's pods, which lack the label it excludes
    Given a ready StatefulSet "web" with:
      | replicas                      | 2 |
      | spec.selector                 | { matchLabels: { app: web }, matchExpressions: [ { key: track, operator: NotIn, values: [canary] }, { key: tier, operator: Exists } ] } |
      | spec.template.metadata.labels | { app: web, tier: "" } |
    Then the scale of StatefulSet "web" has:
      | status.selector | app=web,tier,track notin (canary) |
    And listing pods with the label selector "app=web,tier,track notin (canary)" gives "web-0, web-1"
    And listing pods with the label selector "app=web,track!=canary,!release" gives "web-0, web-1"

  @guarantee:G-10
  Scenario: StatefulSets are listed by label, patched and deleted as a collection
    Given the API lists "statefulsets" with the short name "sts" in the category "all"
    # No pods: this is about the collection API, and pods racing the deletion would only make
    # the timeline differ between targets.
    When I create a StatefulSet "one" with:
      | replicas              | 0    |
      | metadata.labels       | { e2e: collection } |
    And I create a StatefulSet "two" with:
      | replicas              | 0    |
      | metadata.labels       | { e2e: collection } |
    And I create a StatefulSet "three" with 0 replicas
    Then listing StatefulSets with the label selector "e2e=collection" gives "one, two"
    When I delete the StatefulSets with the label selector "e2e=collection"
    Then listing StatefulSets with the label selector "e2e=collection" gives ""
    And StatefulSet "three" exists

  @guarantee:G-11 @guarantee:G-60
  Scenario: Deleting a StatefulSet deletes its pods and revisions in the background by default
    Given a ready StatefulSet "web" with 2 replicas
    When I delete StatefulSet "web"
    Then StatefulSet "web" is gone
    And StatefulSet "web" has no pods
    And no ControllerRevisions remain

  @guarantee:G-12
  Scenario: observedGeneration follows generation even when the controller is blocked
    Given every pod is held unready
    When I create a StatefulSet "web" with 3 replicas
    And I scale StatefulSet "web" to 5
    Then StatefulSet "web" observes its latest generation
    And pod "web-1" is not created for 10 seconds

  # Optimistic concurrency (metadata.resourceVersion): a write based on a read that someone
  # else's change has since outdated is refused, so it cannot silently undo that change.
  @guarantee:G-65
  Scenario: A write based on a stale read is refused with a Conflict
    Given a ready StatefulSet "web" with 1 replica
    When I read StatefulSet "web"
    And I scale StatefulSet "web" to 2
    And I try to replace StatefulSet "web" with the copy I read, changed with:
      | minReadySeconds | 5 |
    Then the request is rejected as "Conflict" with a message containing "the object has been modified"
    When I try to patch StatefulSet "web" with the resourceVersion I read and:
      """
      spec: { replicas: 5 }
      """
    Then the request is rejected as "Conflict" with a message containing "the object has been modified"
    And StatefulSet "web" has:
      | spec.replicas       | 2 |
      | metadata.generation | 2 |
    And StatefulSet "web" becomes ready with 2 replicas
