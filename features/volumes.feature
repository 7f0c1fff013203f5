@needs:storage
Feature: Stable storage and PVC retention
  volumeClaimTemplates give each pod its own claim, <template>-<set>-<ordinal>, created before
  the pod and kept across pod failures; persistentVolumeClaimRetentionPolicy decides what
  happens to the claims on scale-down and set deletion.

  @guarantee:G-41 @guarantee:G-42
  Scenario: Each pod gets its own claim, created before it
    When I create a StatefulSet "web" with:
      | replicas            | 2    |
      | volumeClaimTemplate | data |
    Then StatefulSet "web" becomes ready with 2 replicas
    And claims "data-web-0, data-web-1" are bound
    And each claim of "web" was created before its pod
    And claim "data-web-0" has the label "app" with value "web"
    And pod "web-0" mounts claim "data-web-0" as volume "data"

  # Where volumes can move: the default class binds at once and its volumes carry no node
  # affinity. Node-local storage (kind's local-path) cannot, and has the scenarios below instead.
  @guarantee:G-38 @guarantee:G-42 @needs:movable-storage @disruptive
  Scenario: A recreated pod reattaches its claim, even on another node
    Given a ready StatefulSet "web" with:
      | replicas            | 1    |
      | volumeClaimTemplate | data |
    And I remember claim "data-web-0"
    When I cordon the node of pod "web-0"
    And I delete pod "web-0"
    Then pod "web-0" is replaced
    And StatefulSet "web" becomes ready with 1 replica
    And pod "web-0" runs on a different node than before
    And pod "web-0" mounts claim "data-web-0" as volume "data"
    And claim "data-web-0" is the one from before

  # WaitForFirstConsumer: the claim waits for the scheduler to choose a node for its pod, and
  # its volume is provisioned there.
  @guarantee:G-41 @guarantee:G-42 @needs:wffc-storage
  Scenario: Claims of a first-consumer class are bound on the node their pod is scheduled to
    When I create a StatefulSet "web" whose claims use the first-consumer StorageClass, with:
      | replicas            | 2    |
      | volumeClaimTemplate | data |
    Then StatefulSet "web" becomes ready with 2 replicas
    And each claim of "web" was created before its pod
    And each claim of "web" stayed unbound until its pod's node was chosen
    And each claim of "web" is bound to a volume pinned to the node of its pod
    And pod "web-0" mounts claim "data-web-0" as volume "data"

  # The other angle of G-38 on node-local storage: the recreated pod keeps its claim, so it
  # can only go where the volume is; it waits for that node rather than move.
  @guarantee:G-38 @guarantee:G-42 @needs:wffc-storage @disruptive
  Scenario: A recreated pod waits for the node its first-consumer volume is on
    Given a ready StatefulSet "web" whose claims use the first-consumer StorageClass, with:
      | replicas            | 1    |
      | volumeClaimTemplate | data |
    And I remember claim "data-web-0"
    When I cordon the node of pod "web-0"
    And I delete pod "web-0"
    Then pod "web-0" is replaced
    And pod "web-0" stays unschedulable for 10 seconds
    And claim "data-web-0" is the one from before
    And claim "data-web-0" is bound
    When I uncordon the node pod "web-0" ran on
    Then StatefulSet "web" becomes ready with 1 replica
    And pod "web-0" runs on the same node as before
    And pod "web-0" mounts claim "data-web-0" as volume "data"
    And claim "data-web-0" is the one from before
    And each claim of "web" is bound to a volume pinned to the node of its pod

  @guarantee:G-43
  Scenario: A claim that is being deleted blocks its pod until it is gone, then is recreated
    Given a ready StatefulSet "web" with:
      | replicas            | 2    |
      | volumeClaimTemplate | data |
    And I remember claim "data-web-1"
    And claim "data-web-1" has the finalizer "statefulset-conformance.io/hold"
    When I delete claim "data-web-1"
    And I delete pod "web-1"
    Then pod "web-1" is gone
    And pod "web-1" is not created for 10 seconds
    When I remove the finalizer "statefulset-conformance.io/hold" from claim "data-web-1"
    Then StatefulSet "web" becomes ready with 2 replicas
    And claim "data-web-1" is a new one

  # Storage-object-in-use protection: a claim deleted while its pod runs stays Terminating, and
  # its volume stays Bound to it even when deleted too, until the pod is gone; then both go (the
  # class reclaims with Delete) and the recreated pod gets a new claim.
  @guarantee:G-43 @guarantee:G-38
  Scenario: A claim and its volume deleted while their pod runs stay until the pod is gone
    Given a ready StatefulSet "web" with:
      | replicas            | 1    |
      | volumeClaimTemplate | data |
    And I remember claim "data-web-0"
    When I delete claim "data-web-0"
    And I delete the volume of claim "data-web-0"
    Then claim "data-web-0" stays terminating for 5 seconds
    And the volume of claim "data-web-0" stays bound to it for 5 seconds
    When I delete pod "web-0"
    Then claim "data-web-0" from before is deleted
    And the volume of claim "data-web-0" from before is deleted
    And StatefulSet "web" becomes ready with 1 replica
    And claim "data-web-0" is a new one

  @guarantee:G-44 @disruptive
  Scenario: The missing claim of a pending pod is recreated
    Given a ready StatefulSet "web" with:
      | replicas            | 1    |
      | volumeClaimTemplate | data |
    And I remember claim "data-web-0"
    When every node is cordoned
    And I delete pod "web-0"
    Then pod "web-0" is replaced
    And pod "web-0" is pending
    # As upstream's e2e test does it: the controller has no claim watch, so the recreation
    # follows the next event of the pending pod (the scheduler's attempt after the uncordon).
    When I delete claim "data-web-0"
    And every node is uncordoned
    Then claim "data-web-0" is a new one
    And StatefulSet "web" becomes ready with 1 replica

  @guarantee:G-45
  Scenario: With the default Retain policy claims outlive scale-down and deletion
    Given a ready StatefulSet "web" with:
      | replicas            | 2    |
      | volumeClaimTemplate | data |
    When I scale StatefulSet "web" to 1
    Then StatefulSet "web" becomes ready with 1 replica
    When I delete StatefulSet "web"
    Then StatefulSet "web" has no pods
    And claims "data-web-0, data-web-1" still exist for 10 seconds
    And claim "data-web-0" has no owner references

  @guarantee:G-45
  Scenario: whenDeleted Delete removes the claims with the set
    Given a ready StatefulSet "web" with:
      | replicas            | 2      |
      | volumeClaimTemplate | data   |
      | whenDeleted         | Delete |
    Then claim "data-web-0" is controlled by StatefulSet "web"
    When I delete StatefulSet "web"
    Then claims "data-web-0, data-web-1" are deleted

  @guarantee:G-45
  Scenario: whenScaled Delete removes the claims of condemned pods only
    Given a ready StatefulSet "web" with:
      | replicas            | 3      |
      | volumeClaimTemplate | data   |
      | whenScaled          | Delete |
    When I scale StatefulSet "web" to 1
    Then StatefulSet "web" becomes ready with 1 replica
    And claims "data-web-1, data-web-2" are deleted
    And claim "data-web-0" still exists for 5 seconds

  # Ordinals from 3: the condemned pods are those above the range [3, 3+replicas), not those
  # numbered replicas or more. Only their claims go; the claims of the pods that stay get no
  # owner (whenScaled) or stay the set's (whenDeleted).
  @guarantee:G-45 @guarantee:G-21
  Scenario: whenScaled Delete with ordinals from 3 removes the claims of the condemned ordinals only
    Given a ready StatefulSet "web" with:
      | replicas            | 3      |
      | ordinalsStart       | 3      |
      | volumeClaimTemplate | data   |
      | whenScaled          | Delete |
    And I remember claim "data-web-5"
    When I scale StatefulSet "web" to 1
    Then StatefulSet "web" becomes ready with 1 replica
    And claims "data-web-4, data-web-5" are deleted
    And the volume of claim "data-web-5" from before is deleted
    And claim "data-web-3" still exists for 5 seconds
    And claim "data-web-3" has no owner references

  @guarantee:G-45 @guarantee:G-21
  Scenario: whenDeleted Delete with ordinals from 3 leaves the kept claims to the set, which takes them along
    Given a ready StatefulSet "web" with:
      | replicas            | 2      |
      | ordinalsStart       | 3      |
      | volumeClaimTemplate | data   |
      | whenScaled          | Delete |
      | whenDeleted         | Delete |
    Then claim "data-web-3" is controlled by StatefulSet "web"
    And claim "data-web-4" is controlled by StatefulSet "web"
    When I scale StatefulSet "web" to 1
    Then StatefulSet "web" becomes ready with 1 replica
    And claims "data-web-4" are deleted
    And claim "data-web-3" is controlled by StatefulSet "web"
    When I delete StatefulSet "web"
    Then claims "data-web-3" are deleted

  @guarantee:G-45
  Scenario: A rolling update never deletes claims, whatever the policy
    Given a ready StatefulSet "web" with:
      | replicas            | 2      |
      | volumeClaimTemplate | data   |
      | whenScaled          | Delete |
      | whenDeleted         | Delete |
    And I remember claim "data-web-1"
    When I change the image of StatefulSet "web"
    Then StatefulSet "web" finishes rolling out with 2 replicas
    And claim "data-web-1" is the one from before

  @guarantee:G-46
  Scenario: A claim controlled by another owner is left to it
    Given a ready StatefulSet "keeper" with 0 replicas
    And a claim "data-web-0" controlled by StatefulSet "keeper"
    When I create a StatefulSet "web" with:
      | replicas            | 1      |
      | volumeClaimTemplate | data   |
      | whenDeleted         | Delete |
    Then StatefulSet "web" becomes ready with 1 replica
    And claim "data-web-0" is controlled by StatefulSet "keeper"
    When I delete StatefulSet "web"
    Then StatefulSet "web" has no pods
    And claim "data-web-0" still exists for 10 seconds

  @guarantee:G-46
  Scenario: A pod recreated right after a whenScaled Delete scale-down never reuses the condemned claim
    Given a ready StatefulSet "web" with:
      | replicas            | 2      |
      | volumeClaimTemplate | data   |
      | whenScaled          | Delete |
    And I remember claim "data-web-1"
    When I scale StatefulSet "web" to 1
    And pod "web-1" is gone
    And I scale StatefulSet "web" to 2
    Then claim "data-web-1" from before is deleted
    # A stale claim ends the controller's pass ("no more work can be done this round") and it
    # does not watch claims (upstream TODO): it carries on at the set's next event.
    When StatefulSet "web" is touched
    Then StatefulSet "web" becomes ready with 2 replicas
    And claim "data-web-1" is a new one
    And pod "web-1" mounts claim "data-web-1" as volume "data"

  # The stale-claim check (PodClaimIsStale) runs before any create: while the condemned claim,
  # still owned by the pod that is gone, waits on a finalizer, the controller does not even try
  # to create the pod (trying would fail on the claim being deleted, with a FailedCreate event).
  @guarantee:G-46
  Scenario: While a condemned claim is still being deleted, no pod is created for it
    Given a ready StatefulSet "web" with:
      | replicas            | 2      |
      | volumeClaimTemplate | data   |
      | whenScaled          | Delete |
    And claim "data-web-1" has the finalizer "statefulset-conformance.io/hold"
    And I remember claim "data-web-1"
    When I scale StatefulSet "web" to 1
    And pod "web-1" is gone
    And I scale StatefulSet "web" to 2
    Then pod "web-1" is not created for 10 seconds
    And no "Warning" event "FailedCreate" is recorded for StatefulSet "web" for 5 seconds
    When I remove the finalizer "statefulset-conformance.io/hold" from claim "data-web-1"
    Then claim "data-web-1" from before is deleted
    When StatefulSet "web" is touched
    Then StatefulSet "web" becomes ready with 2 replicas
    And claim "data-web-1" is a new one
