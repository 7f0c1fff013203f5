# RollingUpdate with maxUnavailable 2 (MaxUnavailableStatefulSet is on in 1.37).
sts_yaml web 4 'updateStrategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 2}}' | run kubectl apply -f -
settle kubectl rollout status sts/web --timeout=120s
run kubectl set image sts/web nginx=registry.k8s.io/nginx-slim:0.28
settle kubectl rollout status sts/web --timeout=120s
podrevs
revisions web
run kubectl get sts web -o jsonpath='{.spec.updateStrategy} {.status.updatedReplicas} {.status.availableReplicas}'
run kubectl patch sts web --type=merge -p '{"spec":{"updateStrategy":{"rollingUpdate":{"maxUnavailable":"50%"}}}}'
run kubectl set image sts/web nginx=registry.k8s.io/nginx-slim:0.27
settle kubectl rollout status sts/web --timeout=120s
podrevs
revisions web
run kubectl patch sts web --type=merge -p '{"spec":{"updateStrategy":{"rollingUpdate":{"maxUnavailable":0}}}}'
