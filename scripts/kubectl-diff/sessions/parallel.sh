# Parallel pod management: scale up and down at once, set image.
sts_yaml web 4 'podManagementPolicy: Parallel' | run kubectl apply -f -
settle kubectl rollout status sts/web --timeout=120s
run kubectl get sts web -o wide
podrevs
run kubectl scale sts web --replicas=1
gone kubectl wait --for=delete pod/web-3 pod/web-2 pod/web-1 --timeout=120s
podrevs
run kubectl scale sts web --replicas=3
settle kubectl rollout status sts/web --timeout=120s
run kubectl set image sts/web nginx=registry.k8s.io/nginx-slim:0.28
settle kubectl rollout status sts/web --timeout=120s
podrevs
revisions web
run kubectl get sts web -o jsonpath='{.spec.podManagementPolicy} {.status.replicas} {.status.readyReplicas} {.status.updatedReplicas} {.status.currentRevision} {.status.updateRevision}'
