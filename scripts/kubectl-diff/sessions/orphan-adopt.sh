# Orphan delete (--cascade=orphan) leaves pods, claims and revisions; a new StatefulSet adopts them.
owners() {
  runs kubectl get pods,controllerrevisions,pvc -o 'custom-columns=KIND:.kind,NAME:.metadata.name,OWNER:.metadata.ownerReferences[?(@.controller==true)].name' --no-headers
}
sts_yaml web 2 | run kubectl apply -f -
settle kubectl rollout status sts/web --timeout=120s
revisions web
owners
run kubectl delete sts web --cascade=orphan
gone kubectl wait --for=delete sts/web --timeout=60s
runs kubectl wait --for=jsonpath='{.metadata.ownerReferences}'= pod/web-0 pod/web-1 --timeout=60s
owners
run kubectl get pods -o wide
sts_yaml web 2 | run kubectl apply -f -
runs kubectl wait --for=jsonpath='{.metadata.ownerReferences[0].name}'=web pod/web-0 pod/web-1 --timeout=60s
settle kubectl rollout status sts/web --timeout=120s
owners
revisions web
podrevs
run kubectl delete sts web --cascade=foreground
gone kubectl wait --for=delete pod/web-0 pod/web-1 --timeout=120s
runs kubectl get pods,controllerrevisions,pvc -o name
