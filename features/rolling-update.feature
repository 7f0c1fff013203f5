Feature: Rolling updates, partitions, OnDelete and revisions
  A template change makes a new ControllerRevision; RollingUpdate replaces pods from the highest
  ordinal down, one at a time, never in place; a partition holds lower ordinals back; OnDelete
  waits for the user; rolling back reuses the earlier revision.

  @guarantee:G-48
  Scenario: Only template changes create revisions
    Given a ready StatefulSet "web" with 2 replicas
    Then StatefulSet "web" has 1 revision
    When I scale StatefulSet "web" to 3
    And I change StatefulSet "web" with:
      | minReadySeconds | 1 |
    Then StatefulSet "web" becomes ready with 3 replicas
    And StatefulSet "web" has 1 revision
    When I change the image of StatefulSet "web"
    Then StatefulSet "web" has 2 revisions

  @guarantee:G-49 @guarantee:G-50 @guarantee:G-57
  Scenario: A rolling update replaces pods from the highest ordinal down, one at a time
    Given a ready StatefulSet "web" with 3 replicas
    When I change the image of StatefulSet "web"
    Then StatefulSet "web" reports a rollout in progress
    And StatefulSet "web" finishes rolling out with 3 replicas
    And pods "web-2, web-1, web-0" were replaced in that order, each once the one before it was running and ready
    And every pod of "web" has a new UID

  @guarantee:G-51
  Scenario: A partition makes a canary, and lowering it phases the rollout
    Given a ready StatefulSet "web" with:
      | replicas  | 3 |
      | partition | 2 |
    When I change the image of StatefulSet "web"
    Then pods "web-2" move to the update revision of "web"
    And pods "web-0, web-1" stay on the current revision of "web" for 10 seconds
    When I delete pod "web-0"
    Then pod "web-0" is replaced
    And pods "web-0" stay on the current revision of "web" for 5 seconds
    When I change StatefulSet "web" with:
      | partition | 0 |
    Then StatefulSet "web" finishes rolling out with 3 replicas

  @guarantee:G-52
  Scenario: OnDelete replaces a pod only when the user deletes it
    Given a ready StatefulSet "web" with:
      | replicas       | 2        |
      | updateStrategy | OnDelete |
    When I change the image of StatefulSet "web"
    Then no pod of "web" is deleted for 10 seconds
    When I delete pod "web-1"
    Then pod "web-1" is replaced
    And pods "web-1" move to the update revision of "web"
    And pods "web-0" stay on the current revision of "web" for 5 seconds
    And eventually StatefulSet "web" reports:
      | updatedReplicas | 1 |
    And StatefulSet "web" keeps its current revision

  # completeUpdate (1.37; completeRollingUpdate before) no longer asks for RollingUpdate: once the
  # user has replaced every pod, the update revision becomes the current one under OnDelete too.
  @guarantee:G-52 @k8s:>=1.37
  Scenario: OnDelete completes the update once every pod was replaced
    Given a ready StatefulSet "web" with:
      | replicas       | 2        |
      | updateStrategy | OnDelete |
    When I change the image of StatefulSet "web"
    And I delete pod "web-1"
    Then pod "web-1" is replaced
    And pods "web-1" move to the update revision of "web"
    When I delete pod "web-0"
    Then pod "web-0" is replaced
    And StatefulSet "web" finishes rolling out with 2 replicas

  # MaxUnavailableStatefulSet is on by default since 1.37 (beta but off in 1.35-1.36, where the
  # field is dropped on write).
  @guarantee:G-53 @feature-gate:MaxUnavailableStatefulSet=true
  Scenario: maxUnavailable lets several pods update at once, never more
    Given a ready StatefulSet "web" with:
      | replicas            | 5        |
      | podManagementPolicy | Parallel |
      | maxUnavailable      | 2        |
    When I change the image of StatefulSet "web"
    Then StatefulSet "web" finishes rolling out with 5 replicas
    And at no time were more than 2 pods of "web" unavailable
    And at some time 2 pods of "web" were terminating together

  # 1.37: under Parallel management old pods that are not available are replaced whatever
  # maxUnavailable says; with minReadySeconds far away no pod is ever available, so all go at once.
  @guarantee:G-53 @k8s:>=1.37 @feature-gate:MaxUnavailableStatefulSet=true
  Scenario: Under Parallel management old pods that are not yet available are replaced all at once
    Given a ready StatefulSet "web" with:
      | replicas            | 3        |
      | podManagementPolicy | Parallel |
      | minReadySeconds     | 3600     |
    When I change the image of StatefulSet "web"
    Then StatefulSet "web" finishes rolling out with 3 replicas
    And every pod of "web" has a new UID
    And at some time 3 pods of "web" were terminating together

  @guarantee:G-54
  Scenario: Rolling back reuses the earlier revision
    Given a ready StatefulSet "web" with 2 replicas
    And I remember the update revision of "web"
    When I change the image of StatefulSet "web"
    Then StatefulSet "web" finishes rolling out with 2 replicas
    When I change StatefulSet "web" with:
      | image | registry.k8s.io/pause:3.10 |
    Then StatefulSet "web" finishes rolling out with 2 replicas
    And the update revision of "web" is the one from before
    And StatefulSet "web" has 2 revisions

  # Three new templates: flipping between two images would only ever reuse two revisions. The
  # live revision is kept beside revisionHistoryLimit old ones: 0 keeps none, and a negative
  # limit (accepted with a warning) keeps them all.
  @guarantee:G-55
  Scenario Outline: Revision history is trimmed to revisionHistoryLimit <limit>
    Given a ready StatefulSet "web" with:
      | replicas             | 1       |
      | revisionHistoryLimit | <limit> |
    When I change StatefulSet "web" with:
      | spec.template.metadata.annotations.example | one |
    Then StatefulSet "web" finishes rolling out with 1 replica
    When I change StatefulSet "web" with:
      | spec.template.metadata.annotations.example | two |
    Then StatefulSet "web" finishes rolling out with 1 replica
    When I change StatefulSet "web" with:
      | spec.template.metadata.annotations.example | three |
    Then StatefulSet "web" finishes rolling out with 1 replica
    # Kept, not just reached: revisions are deleted one by one, so a count going down passes
    # through every number on its way (StrykerJS: deleting all history passed "has 3").
    And StatefulSet "web" has <revisions> revisions
    And StatefulSet "web" keeps <revisions> revisions for 5 seconds

    Examples:
      | limit | revisions |
      | 1     | 2         |
      | 2     | 3         |
      | 5     | 4         |
      | 0     | 1         |
      | -1    | 4         |

  # The current revision is live until the rollout completes, even once no pod runs it (the
  # last old pod was replaced and its replacement is not ready yet): truncateHistory must keep
  # it, and status.currentRevision keeps naming it.
  @guarantee:G-55
  Scenario: The current revision outlives its last pod until the rollout completes, even with revisionHistoryLimit 0
    Given a ready StatefulSet "web" with:
      | replicas             | 1 |
      | revisionHistoryLimit | 0 |
    And the replacement of pod "web-0" is held unready
    When I change the image of StatefulSet "web"
    Then pod "web-0" is created on the update revision of "web"
    And StatefulSet "web" keeps 2 revisions for 10 seconds
    And StatefulSet "web" keeps its current revision
    When pod "web-0" is released
    Then StatefulSet "web" finishes rolling out with 1 replica
    And StatefulSet "web" has 1 revision

  # The update revision is live while no pod runs it yet (a partition holds every pod back), so
  # truncateHistory must not count it as history, even with revisionHistoryLimit 0.
  @guarantee:G-55
  Scenario: A partition holding every pod back keeps the new revision, even with revisionHistoryLimit 0
    Given a ready StatefulSet "web" with:
      | replicas             | 2 |
      | partition            | 2 |
      | revisionHistoryLimit | 0 |
    When I change the image of StatefulSet "web"
    Then pods "web-0, web-1" stay on the current revision of "web" for 10 seconds
    And StatefulSet "web" keeps 2 revisions for 10 seconds

  # A name taken by other data is a hash collision as far as the controller can tell: it bumps
  # status.collisionCount and creates the revision under the name the next hash gives.
  @guarantee:G-56
  Scenario: A revision name already taken by other data bumps collisionCount
    Given a ready StatefulSet "web" with 1 replica
    And I remember the update revision of "web"
    When I change the image of StatefulSet "web"
    Then StatefulSet "web" finishes rolling out with 1 replica
    When a foreign ControllerRevision takes the name of the update revision of "web" from before
    And I change the image of StatefulSet "web"
    Then StatefulSet "web" finishes rolling out with 1 replica
    And StatefulSet "web" reports:
      | collisionCount | 1 |
    And the update revision of "web" is not the one from before
    And the foreign ControllerRevision is left as it was
    And StatefulSet "web" has 2 revisions

  @guarantee:G-56 @guarantee:G-07
  Scenario: collisionCount can never go down
    Given a ready StatefulSet "web" with 1 replica
    When I patch the status of StatefulSet "web" with:
      """
      status: { collisionCount: 2 }
      """
    And I try to patch the status of StatefulSet "web" with:
      """
      status: { collisionCount: 1 }
      """
    Then the request is rejected as "Invalid" on field "status.collisionCount"
