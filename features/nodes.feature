Feature: Nodes: placement and loss
  Pods go only where their template lets them. When a node stops reporting, the node lifecycle
  controller marks it Unknown and its pods not Ready: they leave the set's ready count and the
  Service's ready endpoints. A lost pod's object stays (evicted, it is terminating) and no
  replacement is made while it exists.

  @guarantee:G-19 @guarantee:G-24
  Scenario Outline: A pod whose <constraint> no node satisfies stays pending and holds back its successors
    When I create a StatefulSet "web" with:
      | replicas | 2       |
      | <field>  | <value> |
    Then pod "web-0" stays unschedulable for 10 seconds
    And pod "web-1" is not created for 10 seconds

    Examples:
      | constraint             | field                           | value                                                                                                                                          |
      | nodeSelector           | spec.template.spec.nodeSelector | {statefulset-conformance.io/absent: "true"}                                                                                                    |
      | required node affinity | spec.template.spec.affinity     | {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: statefulset-conformance.io/absent, operator: Exists}]}]}}} |

  @guarantee:G-58 @guarantee:G-63 @guarantee:G-40 @needs:node-faults @needs:dns @disruptive
  Scenario: Pods on a node that stopped reporting become not ready, and a replacement goes elsewhere
    Given a headless Service "web"
    And a ready StatefulSet "web" with 3 replicas
    When the node of pod "web-1" stops
    Then pod "web-1" is marked not ready
    And eventually StatefulSet "web" reports:
      | readyReplicas | 2 |
    And "web-1.web" does not resolve
    And the endpoints of Service "web" become:
      | pod   | ready |
      | web-0 | true  |
      | web-1 | false |
      | web-2 | true  |
    And pod "web-1" is not replaced for 10 seconds
    When I force-delete pod "web-1"
    Then pod "web-1" is replaced
    And StatefulSet "web" becomes ready with 3 replicas
    And pod "web-1" runs on a different node than before

  # Unreachable (Ready Unknown) and not-ready (Ready False) are different taints: this pod
  # leaves an unreachable node after 10 seconds but would stay on a not-ready one for good.
  @guarantee:G-40 @needs:node-faults @disruptive
  Scenario: A pod on a lost node is evicted once its toleration of unreachable nodes runs out, and not replaced while it terminates
    Given a ready StatefulSet "web" with:
      | replicas                       | 2 |
      | spec.template.spec.tolerations | [{key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 10}, {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute}] |
    When the node of pod "web-1" stops
    Then pod "web-1" is terminating
    And pod "web-1" is not replaced for 20 seconds
