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
