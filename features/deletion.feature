Feature: Deleting a StatefulSet
  Cascading deletion removes the pods (in no particular order) and revisions; orphaning keeps
  the pods, which a new set with the same selector adopts again. Pods are given their
  terminationGracePeriodSeconds to stop.

  @guarantee:G-60 @guarantee:G-56
  Scenario: Orphaned pods and revisions are adopted by a new set with the same selector
    Given a ready StatefulSet "web" with 2 replicas
    And I remember the UIDs of the pods of "web"
    When I delete StatefulSet "web", orphaning its dependents
    Then StatefulSet "web" is gone
    And pods "web-0, web-1" have no controller for 5 seconds
    When I create a StatefulSet "web" with 2 replicas
    Then pods "web-0, web-1" become controlled by StatefulSet "web"
    And the pods of "web" have the UIDs from before
    And every ControllerRevision is controlled by StatefulSet "web"

  # Parallel, so that the terminating web-0 does not hold back web-1 the way OrderedReady would.
  @guarantee:G-60
  Scenario: A set being deleted creates no pods
    Given a ready StatefulSet "web" with:
      | replicas            | 2        |
      | podManagementPolicy | Parallel |
    And pod "web-0" has the finalizer "statefulset-conformance.io/hold"
    When I delete StatefulSet "web" in the foreground
    Then StatefulSet "web" is being deleted
    And pod "web-1" is gone
    And pod "web-1" is not created for 10 seconds
    When I remove the finalizer "statefulset-conformance.io/hold" from pod "web-0"
    Then StatefulSet "web" is gone

  @guarantee:G-60
  Scenario: A pod is given its terminationGracePeriodSeconds to stop
    Given a ready StatefulSet "web" with:
      | replicas                      | 1    |
      | terminationGracePeriodSeconds | 20   |
      | ignoreSigterm                 | true |
    When I delete pod "web-0"
    Then pod "web-0" is terminating with a grace period of 20 seconds
    And pod "web-0" stays terminating for 10 seconds
    And pod "web-0" is replaced

  @guarantee:G-60
  Scenario: A delete's own grace period overrides terminationGracePeriodSeconds
    Given a ready StatefulSet "web" with:
      | replicas                      | 1    |
      | terminationGracePeriodSeconds | 3600 |
      | ignoreSigterm                 | true |
    When I delete pod "web-0" with a grace period of 5 seconds
    Then pod "web-0" is terminating with a grace period of 5 seconds
    And pod "web-0" is replaced

  # A later delete may shorten a terminating pod's grace period (kubectl delete --grace-period,
  # a drain with a deadline): the API server keeps the shorter one and moves the deletion
  # deadline earlier. Whether the kubelet then stops the container sooner is not guaranteed:
  # a real v1.37.2 kubelet already stopping the container keeps the first 600 s (seen on real
  # nodes; upstream's open kubernetes/kubernetes#83916), so only the API's contract is asserted.
  @guarantee:G-60
  Scenario: A second delete with a shorter grace period moves a pod's deletion deadline earlier
    Given a ready StatefulSet "web" with:
      | replicas                      | 1    |
      | terminationGracePeriodSeconds | 3600 |
      | ignoreSigterm                 | true |
    When I delete pod "web-0" with a grace period of 600 seconds
    Then pod "web-0" is terminating with a grace period of 600 seconds
    When I delete pod "web-0" with a grace period of 5 seconds
    Then pod "web-0" is terminating with a grace period of 5 seconds
    And the deletion deadline of pod "web-0" moved earlier by at least 500 seconds
