Feature: Events
  The controller records what it does as events on the StatefulSet.

  @guarantee:G-61
  Scenario: Creating and deleting pods and claims is recorded on the set
    When I create a StatefulSet "web" with:
      | replicas            | 2    |
      | volumeClaimTemplate | data |
    Then StatefulSet "web" becomes ready with 2 replicas
    And a "Normal" event "SuccessfulCreate" mentioning "create Pod web-0 in StatefulSet web successful" is recorded for StatefulSet "web"
    And a "Normal" event "SuccessfulCreate" mentioning "create Claim data-web-1 Pod web-1 in StatefulSet web success" is recorded for StatefulSet "web"
    When I scale StatefulSet "web" to 1
    Then a "Normal" event "SuccessfulDelete" mentioning "delete Pod web-1 in StatefulSet web successful" is recorded for StatefulSet "web"
