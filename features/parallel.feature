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

  # The maxUnavailable update of 1.35-1.36 (MaxUnavailableStatefulSet beta but off by default
  # there, so this needs the gate switched on; with it off the one-pod loop deletes web-2 at once).
  @guarantee:G-33 @k8s:>=1.35 @k8s:<1.37 @feature-gate:MaxUnavailableStatefulSet=true
  Scenario: An unavailable pod holds back a Parallel rolling update (maxUnavailable 1)
    Given a ready StatefulSet "web" with:
      | replicas            | 3        |
      | podManagementPolicy | Parallel |
    When pod "web-0" becomes unready
    And I change the image of StatefulSet "web"
    Then no pod of "web" is deleted for 10 seconds
    When pod "web-0" is released
    Then StatefulSet "web" finishes rolling out with 3 replicas

  # Since 1.37 (MaxUnavailableStatefulSet on by default) a Parallel rolling update first replaces
  # old pods that are unavailable anyway, even beyond maxUnavailable, and only then spends what is
  # left of the budget on available ones (updateStatefulSetAfterInvariantEstablished).
  @guarantee:G-33 @k8s:>=1.37 @feature-gate:MaxUnavailableStatefulSet=true
  Scenario: A Parallel rolling update replaces an unavailable old pod first, then waits for it (maxUnavailable 1)
    Given a ready StatefulSet "web" with:
      | replicas            | 3        |
      | podManagementPolicy | Parallel |
    When pod "web-0" becomes unready
    # The controller has seen it (its status says so) before the template changes.
    Then eventually StatefulSet "web" reports:
      | readyReplicas     | 2 |
      | availableReplicas | 2 |
    When I change the image of StatefulSet "web"
    Then pod "web-0" is terminating
    And pods "web-1, web-2" stay on the current revision of "web" for 10 seconds
    When pod "web-0" is released
    Then StatefulSet "web" finishes rolling out with 3 replicas
    And pods "web-2, web-1" were replaced in that order, each once the one before it was running and ready
