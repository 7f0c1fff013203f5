Feature: Deleting the namespace
  Deleting a StatefulSet's namespace deletes its pods first and only then the set and its claims
  (which deleting the set alone would keep), refuses new objects in the namespace meanwhile, and
  removes the namespace itself once nothing is left in it.

  # KEP-5080 ordered namespace deletion: conformance since v1.34 ("namespace deletion should
  # delete pod first"). A pod held by a finalizer keeps everything else in place.
  @guarantee:G-66 @needs:storage @k8s:>=1.34
  Scenario: The namespace deletes pods first, then the set and its claims, and goes last
    Given a ready StatefulSet "web" with:
      | replicas            | 2    |
      | volumeClaimTemplate | data |
    And pod "web-0" has the finalizer "statefulset-conformance.io/hold"
    When I delete the namespace
    Then the namespace is terminating
    And pod "web-1" is gone
    And claims "data-web-0, data-web-1" still exist for 10 seconds
    And StatefulSet "web" exists
    And pod "web-0" is terminating
    When I try to create a StatefulSet "late" with:
      | replicas | 1 |
    Then the request is rejected as "Forbidden" with a message containing "because it is being terminated"
    When I remove the finalizer "statefulset-conformance.io/hold" from pod "web-0"
    Then StatefulSet "web" is gone
    And claims "data-web-0, data-web-1" are deleted
    And the namespace is gone
