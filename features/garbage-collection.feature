Feature: What the garbage collector keeps
  Deleting a StatefulSet lets the garbage collector delete what the set owns. An object with
  another owner that still exists is not collected: it only loses its reference to the set.

  # attemptToDeleteItem: a dependent with a solid owner left keeps living, minus the dangling
  # references. With whenDeleted: Delete the set owns its claims, beside any foreign owner
  # (G-46: non-controller foreign references are kept and the set's added alongside).
  @guarantee:G-45 @guarantee:G-46 @needs:storage
  Scenario: A claim that another object also owns outlives its set, even with whenDeleted Delete
    Given a ready StatefulSet "web" with:
      | replicas            | 1      |
      | volumeClaimTemplate | data   |
      | whenDeleted         | Delete |
    And claim "data-web-0" is controlled by StatefulSet "web"
    And a ConfigMap "keeper"
    And claim "data-web-0" is also owned by ConfigMap "keeper"
    When I delete StatefulSet "web"
    Then StatefulSet "web" has no pods
    And claim "data-web-0" is owned only by ConfigMap "keeper"
    And claim "data-web-0" still exists for 10 seconds
