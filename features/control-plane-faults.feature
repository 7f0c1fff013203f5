Feature: Control-plane faults
  A StatefulSet keeps its guarantees when the control plane itself fails: the controller is a
  level-triggered loop over the API's current state, so a restarted controller (upstream,
  kube-controller-manager's process) lists everything afresh and carries on; and every client —
  the controller's informers, the harness's own watches — resumes a cut watch, or relists when
  the API server answers 410 Gone because the history it asked for was compacted
  (pkg/controller/statefulset: StatefulSetController.Run, sync; client-go's reflector relists
  on "too old resource version"). Throughout, the at-most-one-pod-per-identity invariant is
  checked on every change, as in every scenario.

  @guarantee:G-67 @needs:control-plane-faults
  Scenario: A controller restarted during an OrderedReady scale-up carries it on in ordinal order
    When I create a StatefulSet "web" with 4 replicas
    Then pod "web-1" becomes running and ready
    When the StatefulSet controller restarts
    Then StatefulSet "web" becomes ready with 4 replicas
    And pods "web-0, web-1, web-2, web-3" were created in that order, each once the one before it was running and ready
    And the pods of "web" are "web-0, web-1, web-2, web-3"

  @guarantee:G-67 @needs:control-plane-faults
  Scenario: A controller restarted during a scale-down carries it on in reverse ordinal order
    Given a ready StatefulSet "web" with 4 replicas
    When I scale StatefulSet "web" to 1
    Then pod "web-3" is gone
    When the StatefulSet controller restarts
    Then StatefulSet "web" becomes ready with 1 replica
    And pods "web-3, web-2, web-1" were terminated in that order, each once the one before it was gone
    And the pods of "web" are "web-0"

  @guarantee:G-67 @needs:control-plane-faults
  Scenario: A controller restarted during a rolling update finishes it from the highest ordinal down
    Given a ready StatefulSet "web" with 3 replicas
    When I change the image of StatefulSet "web"
    Then pods "web-2" move to the update revision of "web"
    When the StatefulSet controller restarts
    Then StatefulSet "web" finishes rolling out with 3 replicas
    And pods "web-2, web-1, web-0" were replaced in that order, each once the one before it was running and ready

  @guarantee:G-68 @needs:control-plane-faults
  Scenario: Changes made while the controller was down are reconciled when it is back
    Given a ready StatefulSet "web" with 3 replicas
    When the StatefulSet controller is stopped
    And I delete pod "web-1"
    Then pod "web-1" is gone
    When I scale StatefulSet "web" to 4
    Then pod "web-1" is not created for 5 seconds
    And pod "web-3" is not created for 5 seconds
    When the StatefulSet controller starts again
    Then StatefulSet "web" becomes ready with 4 replicas
    And the pods of "web" are "web-0, web-1, web-2, web-3"
    And eventually StatefulSet "web" reports:
      | replicas      | 4 |
      | readyReplicas | 4 |

  @guarantee:G-69 @needs:control-plane-faults
  Scenario: An API server restart during an OrderedReady scale-up loses nothing and breaks no order
    When I create a StatefulSet "web" with 4 replicas
    Then pod "web-1" becomes running and ready
    When the API server restarts
    Then StatefulSet "web" becomes ready with 4 replicas
    And pods "web-0, web-1, web-2, web-3" were created in that order, each once the one before it was running and ready
    And the pods of "web" are "web-0, web-1, web-2, web-3"

  @guarantee:G-70 @needs:control-plane-faults
  Scenario: After the history is compacted, clients relist and the set converges on what changed
    Given pod "web-2" is held unready
    When I create a StatefulSet "web" with 4 replicas
    Then pod "web-2" becomes running
    When the API server restarts with its watch history compacted
    And I scale StatefulSet "web" to 2
    Then StatefulSet "web" becomes ready with 2 replicas
    And the pods of "web" are "web-0, web-1"
    And eventually StatefulSet "web" reports:
      | replicas      | 2 |
      | readyReplicas | 2 |
