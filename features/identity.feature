Feature: Sticky identity
  Each pod of a StatefulSet has a stable identity: the name <set>-<ordinal>, where the ordinals
  run from spec.ordinals.start (0 by default) up, one per replica.

  @guarantee:G-13
  Scenario: Pods are named after the set and their ordinal
    When I create a StatefulSet "web" with 3 replicas
    Then StatefulSet "web" becomes ready with 3 replicas
    And the pods of "web" are "web-0, web-1, web-2"

  @guarantee:G-13 @guarantee:G-21
  Scenario: Ordinals start at spec.ordinals.start
    When I create a StatefulSet "web" with:
      | replicas      | 3 |
      | ordinalsStart | 5 |
    Then StatefulSet "web" becomes ready with 3 replicas
    And the pods of "web" are "web-5, web-6, web-7"

  @guarantee:G-21
  Scenario: Moving the start ordinal replaces pods outside the new range
    Given a ready StatefulSet "web" with 2 replicas
    When I change StatefulSet "web" with:
      | ordinalsStart | 2 |
    Then StatefulSet "web" becomes ready with 2 replicas
    And the pods of "web" are "web-2, web-3"
    When I change StatefulSet "web" with:
      | spec.ordinals | null |
    Then StatefulSet "web" becomes ready with 2 replicas
    And the pods of "web" are "web-0, web-1"

  @guarantee:G-14
  Scenario: A pod whose name has no ordinal is never adopted
    Given a ready StatefulSet "web" with 1 replica
    When I create an orphan pod "web-foo" with the labels of StatefulSet "web"
    Then pod "web-foo" has no controller for 10 seconds
    And the pods of "web" are "web-0"

  @guarantee:G-15 @guarantee:G-18
  Scenario: Every pod carries its identity labels and a controller reference to its set
    When I create a StatefulSet "web" with:
      | replicas      | 2 |
      | ordinalsStart | 3 |
    Then StatefulSet "web" becomes ready with 2 replicas
    And every pod of "web" has its identity labels
    And every pod of "web" is controlled by StatefulSet "web"

  @guarantee:G-16
  Scenario: The pod-name label is restored, the pod-index label is not
    Given a ready StatefulSet "web" with 1 replica
    When I remove the label "statefulset.kubernetes.io/pod-name" from pod "web-0"
    Then pod "web-0" gets the label "statefulset.kubernetes.io/pod-name" with value "web-0"
    When I remove the label "apps.kubernetes.io/pod-index" from pod "web-0"
    Then pod "web-0" is without the label "apps.kubernetes.io/pod-index" for 10 seconds

  @guarantee:G-17
  Scenario: A pod's hostname is its name and its subdomain is the governing Service
    When I create a StatefulSet "web" with:
      | replicas    | 2     |
      | serviceName | nginx |
    Then StatefulSet "web" becomes ready with 2 replicas
    And pod "web-1" has:
      | spec.hostname  | web-1 |
      | spec.subdomain | nginx |

  @guarantee:G-19 @guarantee:G-57
  Scenario: A pod's spec is the template's, in the set's namespace
    When I create a StatefulSet "web" with:
      | replicas | 1                          |
      | image    | registry.k8s.io/pause:3.9  |
    Then StatefulSet "web" becomes ready with 1 replica
    And pod "web-0" has:
      | spec.containers[0].name  | app                       |
      | spec.containers[0].image | registry.k8s.io/pause:3.9 |

  @guarantee:G-20
  Scenario: A set whose name leaves no room for the revision label gets no pods
    When I create a StatefulSet "a-very-long-statefulset-name-that-is-sixty-characters-long" with 1 replica
    Then a "Warning" event "FailedCreate" is recorded for StatefulSet "a-very-long-statefulset-name-that-is-sixty-characters-long"
    And pod "a-very-long-statefulset-name-that-is-sixty-characters-long-0" is not created for 10 seconds

  @guarantee:G-22 @guarantee:G-51
  Scenario: The partition counts from ordinals.start
    Given a ready StatefulSet "web" with:
      | replicas      | 4 |
      | ordinalsStart | 5 |
      | partition     | 2 |
    When I change the image of StatefulSet "web"
    Then pods "web-7, web-8" move to the update revision of "web"
    And pods "web-5, web-6" stay on the current revision of "web" for 10 seconds
