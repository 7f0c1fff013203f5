Feature: Parallel pod management
  With podManagementPolicy Parallel the controller creates and deletes pods without waiting for
  their predecessors, but still never runs two pods with one identity.

  @guarantee:G-31
  Scenario: Burst scaling runs to completion even with unhealthy pods
    Given every pod is held unready
    When I create a StatefulSet "web" with:
      | replicas            | 3        |
      | podManagementPolicy | Parallel |
    Then pods "web-0, web-1, web-2" exist
    When I scale StatefulSet "web" to 0
    Then StatefulSet "web" has no pods

  @guarantee:G-31
  Scenario: Parallel scale-down terminates pods together
    Given a ready StatefulSet "web" with:
      | replicas                      | 3        |
      | podManagementPolicy           | Parallel |
      | terminationGracePeriodSeconds | 30       |
      | ignoreSigterm                 | true     |
    When I scale StatefulSet "web" to 0
    Then pods "web-0, web-1, web-2" are terminating at the same time
    And StatefulSet "web" has no pods

  @guarantee:G-32 @guarantee:G-40
  Scenario: A terminating pod keeps its identity until it is gone
    Given a ready StatefulSet "web" with:
      | replicas            | 2        |
      | podManagementPolicy | Parallel |
    And pod "web-1" has the finalizer "statefulset-conformance.io/hold"
    When I delete pod "web-1"
    Then pod "web-1" is terminating
    And pod "web-1" is not replaced for 10 seconds
    When I remove the finalizer "statefulset-conformance.io/hold" from pod "web-1"
    Then pod "web-1" is replaced
    And StatefulSet "web" becomes ready with 2 replicas

  @guarantee:G-33 @k8s:>=1.35
  Scenario: An unavailable pod holds back a Parallel rolling update (maxUnavailable 1)
    Given a ready StatefulSet "web" with:
      | replicas            | 3        |
      | podManagementPolicy | Parallel |
    When pod "web-0" becomes unready
    And I change the image of StatefulSet "web"
    Then no pod of "web" is deleted for 10 seconds
    When pod "web-0" is released
    Then StatefulSet "web" finishes rolling out with 3 replicas
