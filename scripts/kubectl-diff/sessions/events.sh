# Events: what the StatefulSet controller records, and repeated events as client-go's recorder
# counts them (one Event whose count rises, not one Event per occurrence).
sts_yaml web 2 | run kubectl apply -f -
settle kubectl rollout status sts/web --timeout=120s
runs kubectl get events --field-selector involvedObject.kind=StatefulSet -o 'custom-columns=TYPE:.type,REASON:.reason,OBJECT:.involvedObject.name,SOURCE:.source.component,COUNT:.count,MESSAGE:.message' --no-headers
run kubectl events --for statefulset/web --types=Normal
# web-2's claim is held in deletion by a finalizer: each attempt to create web-2 fails with the
# same Warning, which the recorder counts on one Event rather than posting a new one.
cat <<YAML | run kubectl apply -f -
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data-web-2, labels: {app: web}, finalizers: [kubectl-diff.example/hold]}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Mi}}}
YAML
run kubectl delete pvc data-web-2 --wait=false
run kubectl scale sts web --replicas=3
sh_run "timeout 60 kubectl get events -w --output-watch-events --field-selector involvedObject.kind=StatefulSet,reason=FailedCreate -o custom-columns=EVENT:.type,MESSAGE:.object.message --no-headers | head -n 3"
sh_run "kubectl get events --field-selector reason=FailedCreate -o custom-columns=TYPE:.type,REASON:.reason,SOURCE:.source.component,MESSAGE:.message --no-headers | sort | uniq -c"
sh_run "kubectl get events --field-selector reason=FailedCreate -o jsonpath='{range .items[*]}{.count}{\"\\n\"}{end}' | awk '{ print (\$1 > 1 ? \"count > 1\" : \"count 1\") }' | sort -u"
run kubectl patch pvc data-web-2 --type=merge -p '{"metadata":{"finalizers":null}}'
settle kubectl rollout status sts/web --timeout=120s
sh_run "kubectl describe sts web | sed -n '/^Events:/,\$p'"
run kubectl get events --field-selector involvedObject.kind=StatefulSet,reason=FailedCreate -o jsonpath='{range .items[*]}{.type} {.reason} {.reportingComponent} {.source.component} {.involvedObject.kind}{"\n"}{end}'
revisions web
