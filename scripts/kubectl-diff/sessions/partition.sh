# RollingUpdate with a partition: only ordinals >= partition are updated, then the partition is lowered.
sts_yaml web 3 'updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 2}}' | run kubectl apply -f -
settle kubectl rollout status sts/web --timeout=120s
run kubectl set image sts/web nginx=registry.k8s.io/nginx-slim:0.28
settle kubectl rollout status sts/web --timeout=120s
podrevs
run kubectl patch sts web -p '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":0}}}}'
settle kubectl rollout status sts/web --timeout=120s
podrevs
revisions web
run kubectl get sts web -o jsonpath='{.spec.updateStrategy} {.status.currentReplicas} {.status.updatedReplicas} {.status.currentRevision} {.status.updateRevision}'
