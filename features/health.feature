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

  # Scale-down waits for availability too. Upstream's processCondemned deletes the first
  # unavailable pod at once (so web-2 alone, just ready, would go at once), but keeps any other
  # condemned pod that is Ready and not yet available for minReadySeconds. Here web-1 is the
  # first unavailable one, so web-2 must wait. StrykerJS found no scenario reaching that wait.
  @guarantee:G-35 @guarantee:G-28
  Scenario: OrderedReady scale-down waits until a condemned pod has been available for minReadySeconds
    Given a ready StatefulSet "web" with:
      | replicas        | 3  |
      | minReadySeconds | 20 |
    When pod "web-1" becomes unready
    And I scale StatefulSet "web" to 1
    Then pod "web-1" is gone
    And pods "web-2, web-1" were terminated in that order, each once the one before it was gone
    And pod "web-2" was deleted at least 20 seconds after it became ready

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
