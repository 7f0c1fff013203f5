# minReadySeconds: pods count as available only after being ready that long.
sts_yaml web 2 'minReadySeconds: 3' | run kubectl apply -f -
settle kubectl rollout status sts/web --timeout=120s
runs kubectl wait --for=jsonpath='{.status.availableReplicas}'=2 sts/web --timeout=120s
run kubectl get sts web -o jsonpath='{.spec.minReadySeconds} {.status.readyReplicas} {.status.availableReplicas}'
run kubectl set image sts/web nginx=registry.k8s.io/nginx-slim:0.28
settle kubectl rollout status sts/web --timeout=120s
runs kubectl wait --for=jsonpath='{.status.availableReplicas}'=2 sts/web --timeout=120s
podrevs
run kubectl get sts web -o wide
revisions web
