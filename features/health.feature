Feature: Health, halting and minReadySeconds
  A pod is healthy when it is Running, Ready and not terminating; it is available once it has
  been Ready for minReadySeconds. OrderedReady scaling and rolling updates wait for both.

  @guarantee:G-34 @guarantee:G-35
  Scenario: The next pod waits until its predecessor has been ready for minReadySeconds
    When I create a StatefulSet "web" with:
      | replicas        | 2  |
      | minReadySeconds | 20 |
    Then StatefulSet "web" becomes ready with 2 replicas
    And pod "web-1" was created at least 20 seconds after pod "web-0" became ready

  @guarantee:G-36
  Scenario: availableReplicas lags readiness by minReadySeconds and follows the field
    When I create a StatefulSet "web" with:
      | replicas            | 2        |
      | podManagementPolicy | Parallel |
      | minReadySeconds     | 20       |
    Then StatefulSet "web" becomes ready with 2 replicas
    And StatefulSet "web" reports:
      | availableReplicas | 0 |
    And eventually StatefulSet "web" reports:
      | availableReplicas | 2 |
    When I change StatefulSet "web" with:
      | minReadySeconds | 3600 |
    Then eventually StatefulSet "web" reports:
      | availableReplicas | 0 |
    When I change StatefulSet "web" with:
      | minReadySeconds | 0 |
    Then eventually StatefulSet "web" reports:
      | availableReplicas | 2 |

  @guarantee:G-37 @k8s:>=1.35
  Scenario: A rolling update waits minReadySeconds between pods
    Given a ready StatefulSet "web" with:
      | replicas            | 3        |
      | podManagementPolicy | Parallel |
      | minReadySeconds     | 20       |
    # Available first: since 1.37 (MaxUnavailableStatefulSet on) a Parallel rolling update
    # replaces old pods that are not yet available all at once, without waiting.
    And eventually StatefulSet "web" reports:
      | availableReplicas | 3 |
    When I change the image of StatefulSet "web"
    Then StatefulSet "web" finishes rolling out with 3 replicas
    And each replaced pod of "web" was deleted at least 20 seconds after the previous replacement became ready
