Feature: Adoption and release
  A StatefulSet adopts orphan pods that match its selector and are named like its members, and
  releases pods whose labels stop matching; a released pod keeps its name blocked.

  @guarantee:G-59
  Scenario: A matching orphan with a member's name is adopted
    Given a ready StatefulSet "web" with 2 replicas
    When I create an orphan pod "web-5" with the labels of StatefulSet "web"
    Then pod "web-5" becomes controlled by StatefulSet "web"

  @guarantee:G-59
  Scenario: A pod whose labels stop matching is released, and its ordinal stays blocked
    Given a ready StatefulSet "web" with 2 replicas
    When I set the label "app" of pod "web-1" to "elsewhere"
    Then pod "web-1" loses its controller
    And pod "web-1" is not replaced for 10 seconds
    When I delete pod "web-1"
    Then pod "web-1" is replaced
    And StatefulSet "web" becomes ready with 2 replicas
