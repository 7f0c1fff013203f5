Feature: Sticky identity
  Each pod of a StatefulSet has a stable identity: the name <set>-<ordinal>, where the ordinals
  run from spec.ordinals.start (0 by default) up, one per replica.

  @guarantee:G-13
  Scenario: Pods are named after the set and their ordinal
    When I create a StatefulSet "web" with 3 replicas
    Then StatefulSet "web" becomes ready with 3 replicas
    And the pods of "web" are "web-0, web-1, web-2"
