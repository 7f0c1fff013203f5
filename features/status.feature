Feature: StatefulSet status
  The controller reports exactly what exists: replicas counts every pod object it owns,
  readyReplicas the Running and Ready ones, availableReplicas those ready for minReadySeconds,
  currentReplicas and updatedReplicas the non-terminating pods at each revision.

  @guarantee:G-58 @guarantee:G-49
  Scenario: A settled set reports every counter equal to its replicas
    Given a ready StatefulSet "web" with 3 replicas
    Then eventually StatefulSet "web" reports:
      | replicas          | 3 |
      | readyReplicas     | 3 |
      | availableReplicas | 3 |
      | currentReplicas   | 3 |
      | updatedReplicas   | 3 |
    And StatefulSet "web" has the same current and update revision

  @guarantee:G-58
  Scenario: Status counts follow the pods during a partitioned rollout
    Given a ready StatefulSet "web" with:
      | replicas  | 3 |
      | partition | 1 |
    When I change the image of StatefulSet "web"
    Then pods "web-1, web-2" move to the update revision of "web"
    And eventually StatefulSet "web" reports:
      | replicas        | 3 |
      | readyReplicas   | 3 |
      | currentReplicas | 1 |
      | updatedReplicas | 2 |
    And StatefulSet "web" keeps its current revision

  @guarantee:G-58
  Scenario: An unready pod is not counted as ready
    Given a ready StatefulSet "web" with 2 replicas
    When pod "web-1" becomes unready
    Then eventually StatefulSet "web" reports:
      | replicas          | 2 |
      | readyReplicas     | 1 |
      | availableReplicas | 1 |
