# OrderedReady (the default policy), RollingUpdate: create, scale up and down, set image, history,
# undo, a deleted pod recreated.
sts_yaml web 3 | run kubectl apply -f -
settle kubectl rollout status sts/web --timeout=120s
run kubectl get sts web -o wide
run kubectl get pods -o wide
run kubectl get pvc -o wide
podrevs
revisions web
run kubectl get sts web -o jsonpath='{.status}'
run kubectl scale sts web --replicas=5
settle kubectl rollout status sts/web --timeout=120s
podrevs
run kubectl scale sts web --replicas=2
gone kubectl wait --for=delete pod/web-4 pod/web-3 pod/web-2 --timeout=120s
podrevs
run kubectl set image sts/web nginx=registry.k8s.io/nginx-slim:0.28
settle kubectl rollout status sts/web --timeout=120s
podrevs
revisions web
run kubectl rollout history sts/web
run kubectl rollout history sts/web --revision=1
run kubectl rollout undo sts/web
settle kubectl rollout status sts/web --timeout=120s
podrevs
revisions web
run kubectl get sts web -o jsonpath='{.metadata.generation} {.status.observedGeneration} {.status.currentRevision} {.status.updateRevision} {.status.collisionCount}'
run kubectl delete pod web-0
runs kubectl wait --for=create pod/web-0 --timeout=60s
runs kubectl wait --for=condition=Ready pod/web-0 --timeout=120s
podrevs
run kubectl get pvc -o wide
