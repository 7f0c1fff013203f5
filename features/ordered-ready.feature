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
