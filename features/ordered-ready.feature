Feature: OrderedReady pod management
  With the default podManagementPolicy (OrderedReady) the controller creates pods one at a time
  in ascending ordinal order, each only once its predecessors are Running and Ready, and removes
  them in descending order, each only once its successor is completely gone.

  @guarantee:G-23
  Scenario: Pods are created one at a time, in ordinal order
    When I create a StatefulSet "web" with 3 replicas
    Then StatefulSet "web" becomes ready with 3 replicas
    And pods "web-0, web-1, web-2" were created in that order, each once the one before it was running and ready

  @guarantee:G-24
  Scenario: No pod is created while a predecessor is not ready
    Given pod "web-1" is held unready
    When I create a StatefulSet "web" with 3 replicas
    Then pod "web-1" becomes running
    And pod "web-2" is not created for 30 seconds
    When pod "web-1" is released
    Then StatefulSet "web" becomes ready with 3 replicas

  @guarantee:G-27
  Scenario: Scale-down removes pods in reverse ordinal order, one at a time
    Given a ready StatefulSet "web" with 3 replicas
    When I scale StatefulSet "web" to 0
    Then StatefulSet "web" has no pods
    And pods "web-2, web-1, web-0" were terminated in that order, each once the one before it was gone

  @guarantee:G-23
  Scenario: Scale-up continues from the highest ordinal
    Given a ready StatefulSet "web" with 2 replicas
    When I scale StatefulSet "web" to 4
    Then StatefulSet "web" becomes ready with 4 replicas
    And pods "web-1, web-2, web-3" were created in that order, each once the one before it was running and ready

  @guarantee:G-25
  Scenario: A lost lower ordinal is recreated first, even while a higher one is unready
    Given pod "web-1" is held unready
    When I create a StatefulSet "web" with 3 replicas
    Then pod "web-1" becomes running
    When I delete pod "web-0"
    Then pod "web-0" is replaced
    And pod "web-2" is not created for 10 seconds
    When pod "web-1" is released
    Then StatefulSet "web" becomes ready with 3 replicas

  @guarantee:G-26 @guarantee:G-51
  Scenario: Pods created during a partitioned rollout take the revision their ordinal calls for
    Given a ready StatefulSet "web" with:
      | replicas  | 2 |
      | partition | 2 |
    When I change the image of StatefulSet "web"
    And I scale StatefulSet "web" to 4
    Then StatefulSet "web" becomes ready with 4 replicas
    And pods "web-2, web-3" move to the update revision of "web"
    And pods "web-0, web-1" stay on the current revision of "web" for 5 seconds

  @guarantee:G-28 @guarantee:G-34
  Scenario: Scale-down halts while any pod is unhealthy
    Given a ready StatefulSet "web" with 3 replicas
    When pod "web-0" becomes unready
    And I scale StatefulSet "web" to 1
    Then no pod of "web" is deleted for 10 seconds
    When pod "web-0" is released
    Then StatefulSet "web" becomes ready with 1 replica
    And pods "web-2, web-1" were terminated in that order, each once the one before it was gone

  # The first unhealthy pod is exempt from the wait: when it is the one being removed, removing
  # it is how scale-down gets past it (found by StrykerJS, docs/stryker-findings.md).
  @guarantee:G-28 @guarantee:G-34
  Scenario: Scale-down removes an unready pod when it is the only unhealthy one
    Given a ready StatefulSet "web" with 3 replicas
    When pod "web-2" becomes unready
    And I scale StatefulSet "web" to 2
    Then pod "web-2" is gone
    And StatefulSet "web" becomes ready with 2 replicas

  @guarantee:G-28
  Scenario: Scaling an all-unready set to zero deletes nothing
    Given a ready StatefulSet "web" with 3 replicas
    When every pod becomes unready
    And I scale StatefulSet "web" to 0
    Then no pod of "web" is deleted for 10 seconds
    When every pod is released
    Then StatefulSet "web" has no pods

  @guarantee:G-29
  Scenario: Scaling comes before updating
    Given a ready StatefulSet "web" with 2 replicas
    When I patch StatefulSet "web" with:
      """
      spec:
        replicas: 3
        template: { spec: { containers: [ { name: app, image: registry.k8s.io/pause:3.9 } ] } }
      """
    Then StatefulSet "web" finishes rolling out with 3 replicas
    And pod "web-2" was created before any pod was deleted for the update

  @guarantee:G-30 @guarantee:G-58
  Scenario: A terminating pod still counts in status.replicas
    Given a ready StatefulSet "web" with:
      | replicas                      | 2    |
      | terminationGracePeriodSeconds | 30   |
      | ignoreSigterm                 | true |
    When I scale StatefulSet "web" to 1
    Then while pod "web-1" is terminating, StatefulSet "web" reports:
      | replicas        | 2 |
      | currentReplicas | 1 |
      | updatedReplicas | 1 |
    And StatefulSet "web" becomes ready with 1 replica
