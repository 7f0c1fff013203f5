# OnDelete: a new template reaches a pod only when the pod is deleted.
sts_yaml web 3 'updateStrategy: {type: OnDelete}' | run kubectl apply -f -
settle kubectl rollout status sts/web --timeout=120s
runs kubectl wait --for=jsonpath='{.status.readyReplicas}'=3 sts/web --timeout=120s
run kubectl set image sts/web nginx=registry.k8s.io/nginx-slim:0.28
runs kubectl wait --for=jsonpath='{.status.observedGeneration}'=2 sts/web --timeout=60s
podrevs
revisions web
run kubectl delete pod web-2
runs kubectl wait --for=create pod/web-2 --timeout=60s
runs kubectl wait --for=condition=Ready pod/web-2 --timeout=120s
runs kubectl wait --for=jsonpath='{.status.updatedReplicas}'=1 sts/web --timeout=60s
podrevs
run kubectl get sts web -o wide
run kubectl get sts web -o jsonpath='{.spec.updateStrategy} {.status.currentReplicas} {.status.updatedReplicas} {.status.currentRevision} {.status.updateRevision}'
