Feature: Failure handling
  The controller heals the set: a deleted or failed pod comes back with the same identity and
  storage, and never while the old pod object still exists.

  @guarantee:G-38 @guarantee:G-42 @needs:storage
  Scenario: A deleted pod is recreated with the same name and the same claim
    Given a ready StatefulSet "web" with:
      | replicas            | 2    |
      | volumeClaimTemplate | data |
    And I remember claim "data-web-1"
    When I delete pod "web-1"
    Then pod "web-1" is replaced
    And StatefulSet "web" becomes ready with 2 replicas
    And pod "web-1" mounts claim "data-web-1" as volume "data"
    And claim "data-web-1" is the one from before

  @guarantee:G-39
  Scenario Outline: A pod that ends in phase <phase> is replaced
    Given a ready StatefulSet "web" with 2 replicas
    When pod "web-0" ends in phase <phase>
    Then pod "web-0" is replaced
    And StatefulSet "web" becomes ready with 2 replicas

    Examples:
      | phase     |
      | Failed    |
      | Succeeded |

  @guarantee:G-40 @needs:node-faults @disruptive
  Scenario: A pod on a stopped node is not replaced until its object is gone
    Given a ready StatefulSet "web" with 3 replicas
    When the node of pod "web-1" stops
    And I delete pod "web-1"
    Then pod "web-1" is terminating
    And pod "web-1" is not replaced for 20 seconds
    When I force-delete pod "web-1"
    Then pod "web-1" is replaced
    And the node that stopped is started again
    And StatefulSet "web" becomes ready with 3 replicas
