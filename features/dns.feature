@needs:dns
Feature: Headless Service DNS
  Through a headless Service named by serviceName, each ready pod gets an A record
  <pod>.<service>.<namespace>.svc.cluster.local and an SRV record under the Service; the
  controller itself neither creates nor needs the Service.

  @guarantee:G-62
  Scenario: A StatefulSet works without its governing Service
    When I create a StatefulSet "web" with 2 replicas
    Then StatefulSet "web" becomes ready with 2 replicas
    And there is no Service "web"

  @guarantee:G-63
  Scenario: Each ready pod has an A record and an SRV record
    Given a headless Service "web"
    And a ready StatefulSet "web" with 2 replicas
    Then "web-0.web" resolves to the IP of pod "web-0"
    And "web-1.web" resolves to the IP of pod "web-1"
    And the SRV records of port "web" of Service "web" are "web-0.web, web-1.web"

  @guarantee:G-63
  Scenario: An unready pod has no record unless the Service publishes not-ready addresses
    Given a headless Service "web"
    And a ready StatefulSet "web" with 2 replicas
    When pod "web-1" becomes unready
    Then "web-1.web" does not resolve
    And the SRV records of port "web" of Service "web" are "web-0.web"
    When Service "web" publishes not-ready addresses
    Then "web-1.web" resolves to the IP of pod "web-1"

  @guarantee:G-64
  Scenario: A recreated pod keeps its DNS name
    Given a headless Service "web"
    And a ready StatefulSet "web" with 2 replicas
    When I delete pod "web-1"
    Then pod "web-1" is replaced
    And StatefulSet "web" becomes ready with 2 replicas
    And "web-1.web" resolves to the IP of pod "web-1"

  # Only the Service the pods' subdomain names carries their hostnames (ShouldSetHostname);
  # through another headless Service selecting them, a pod is known by its address alone.
  @guarantee:G-63
  Scenario: A second headless Service lists the pods but gives them no per-pod names
    Given a headless Service "web"
    And a headless Service "other" selecting the pods of "web"
    And a ready StatefulSet "web" with 2 replicas
    Then "other" resolves to the IPs of pods "web-0, web-1"
    And the address record of pod "web-0" under "other" resolves to its IP
    And "web-0.other" does not resolve
    And "web-0.web" resolves to the IP of pod "web-0"
    And "web" resolves to the IPs of pods "web-0, web-1"
    And the endpoints of Service "other" become:
      | pod   | hostname | ready |
      | web-0 |          | true  |
      | web-1 |          | true  |
    And the endpoints of Service "web" become:
      | pod   | hostname | ready |
      | web-0 | web-0    | true  |
      | web-1 | web-1    | true  |

  # A terminating pod may still serve, but it is no longer ready: clients stop finding it
  # while its containers run out their grace period.
  @guarantee:G-63
  Scenario: A terminating pod stays serving but is no longer ready, and loses its name
    Given a headless Service "web"
    And a ready StatefulSet "web" with:
      | replicas                      | 2    |
      | terminationGracePeriodSeconds | 600  |
      | ignoreSigterm                 | true |
    When I delete pod "web-1"
    Then the endpoints of Service "web" become:
      | pod   | hostname | ready | serving | terminating |
      | web-0 | web-0    | true  | true    | false       |
      | web-1 | web-1    | false | true    | true        |
    And "web-1.web" does not resolve
    And the SRV records of port "web" of Service "web" are "web-0.web"
    When I force-delete pod "web-1"
    Then StatefulSet "web" becomes ready with 2 replicas

  @guarantee:G-63
  Scenario: A pod relabelled out of the Service's selector loses its name
    Given a headless Service "web"
    And a ready StatefulSet "web" with 2 replicas
    When I remove the label "app" from pod "web-1"
    Then "web-1.web" does not resolve
    And the SRV records of port "web" of Service "web" are "web-0.web"
