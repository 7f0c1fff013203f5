Feature: Events
  The controller records what it does as events on the StatefulSet. The reasons are stable;
  the messages' verbs became title case in Kubernetes 1.35 (cases.Title in
  pkg/controller/statefulset/stateful_pod_control.go; strings.ToLower before).

  @guarantee:G-61 @k8s:>=1.35
  Scenario: Creating and deleting pods and claims is recorded on the set
    When I create a StatefulSet "web" with:
      | replicas            | 2    |
      | volumeClaimTemplate | data |
    Then StatefulSet "web" becomes ready with 2 replicas
    And a "Normal" event "SuccessfulCreate" mentioning "Create Pod web-0 in StatefulSet web successful" is recorded for StatefulSet "web"
    And a "Normal" event "SuccessfulCreate" mentioning "Create Claim data-web-1 Pod web-1 in StatefulSet web success" is recorded for StatefulSet "web"
    When I scale StatefulSet "web" to 1
    Then a "Normal" event "SuccessfulDelete" mentioning "Delete Pod web-1 in StatefulSet web successful" is recorded for StatefulSet "web"

  @guarantee:G-61 @k8s:<1.35
  Scenario: Creating and deleting pods and claims is recorded on the set (lower-case verbs before 1.35)
    When I create a StatefulSet "web" with:
      | replicas            | 2    |
      | volumeClaimTemplate | data |
    Then StatefulSet "web" becomes ready with 2 replicas
    And a "Normal" event "SuccessfulCreate" mentioning "create Pod web-0 in StatefulSet web successful" is recorded for StatefulSet "web"
    And a "Normal" event "SuccessfulCreate" mentioning "create Claim data-web-1 Pod web-1 in StatefulSet web success" is recorded for StatefulSet "web"
    When I scale StatefulSet "web" to 1
    Then a "Normal" event "SuccessfulDelete" mentioning "delete Pod web-1 in StatefulSet web successful" is recorded for StatefulSet "web"
