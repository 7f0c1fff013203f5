# describe and get -o wide of every kind a StatefulSet involves.
sts_yaml web 2 | run kubectl apply -f -
settle kubectl rollout status sts/web --timeout=120s
runs kubectl wait --for=jsonpath='{.status.phase}'=Bound pvc/data-web-0 pvc/data-web-1 --timeout=60s
run kubectl get sts -o wide
run kubectl get pods -o wide
run kubectl get pvc -o wide
run kubectl get controllerrevisions -o wide
run kubectl get services -o wide
run kubectl get endpointslices -o wide
sh_run "kubectl get pv -o wide | grep -e '^NAME' -e \" $NS/\" | LC_ALL=C sort -k6"
run kubectl describe sts web
run kubectl describe pod web-0
run kubectl describe pvc data-web-0
sh_run "kubectl describe pv \$(kubectl get pvc data-web-0 -o jsonpath='{.spec.volumeName}')"
run kubectl describe controllerrevisions
run kubectl describe service web
run kubectl describe endpointslices -l kubernetes.io/service-name=web
run kubectl get sts web -o yaml
run kubectl get controllerrevisions -o yaml
run kubectl get pod web-0 -o yaml
run kubectl get pvc data-web-0 -o yaml
run kubectl get all
