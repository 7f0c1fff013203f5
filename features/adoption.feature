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

  # A selector of two labels: a pod must carry both. A label that is missing is as much a
  # mismatch as one with another value, whether it was never there or was removed.
  @guarantee:G-59
  Scenario: An orphan without one of the selector's labels is not adopted
    Given a ready StatefulSet "web" with:
      | replicas                           | 1  |
      | spec.selector.matchLabels.tier     | db |
      | spec.template.metadata.labels.tier | db |
    When I create an orphan pod "web-1" with the labels of StatefulSet "web" except "tier"
    Then pod "web-1" has no controller for 10 seconds
    And StatefulSet "web" reports:
      | replicas      | 1 |
      | readyReplicas | 1 |

  @guarantee:G-59
  Scenario Outline: A pod whose selector label is <how> is released and no longer counted
    Given a ready StatefulSet "web" with:
      | replicas                           | 2  |
      | spec.selector.matchLabels.tier     | db |
      | spec.template.metadata.labels.tier | db |
    When <change>
    Then pod "web-1" loses its controller
    And eventually StatefulSet "web" reports:
      | replicas      | 1 |
      | readyReplicas | 1 |
    And pod "web-1" is not replaced for 5 seconds

    Examples:
      | how     | change                                           |
      | removed | I remove the label "tier" from pod "web-1"       |
      | changed | I set the label "tier" of pod "web-1" to "cache" |

  # A watch through the set's selector (kubectl get pods -l app=web --watch, a selector-scoped
  # informer) is told when a pod leaves the selector, as DELETED, and when it matches again, as
  # ADDED; the set releases the pod and adopts it back.
  @guarantee:G-59
  Scenario: A watch through the set's selector sees a released pod leave and come back
    Given a ready StatefulSet "web" with 2 replicas
    And I watch pods with the label selector "app=web"
    When I set the label "app" of pod "web-1" to "elsewhere"
    Then the watch of pods with the label selector "app=web" reports pod "web-1" deleted
    And pod "web-1" loses its controller
    When I set the label "app" of pod "web-1" to "web"
    Then the watch of pods with the label selector "app=web" reports pod "web-1" added
    And pod "web-1" becomes controlled by StatefulSet "web"
