# Client-side apply, diff, server-side apply: managers, conflicts, --force-conflicts, fields
# dropped from an applied configuration, no-op writes.
# The entries sorted: the API server orders them by operation, then time (seconds), then manager, so
# a controller's status write in the same second as a user's write, or the next, swaps them.
managers() {
  runs kubectl get sts web -o jsonpath='{range .metadata.managedFields[*]}{.manager} {.operation} {.subresource}{"\n"}{end}'
}
sts_yaml web 1 | run kubectl apply -f -
settle kubectl rollout status sts/web --timeout=120s
sts_yaml web 1 | run kubectl apply -f -
sts_yaml web 1 | run kubectl diff -f -
sts_yaml web 2 | sh_run "KUBECTL_EXTERNAL_DIFF='diff -u -I generation' kubectl diff -f - | grep '^[-+] ' "
managers
# what client-side apply's create owns: the manifest's fields and what defaulting added
run kubectl get sts web -o jsonpath='{.metadata.managedFields[?(@.manager=="kubectl-client-side-apply")].fieldsV1}'
run kubectl get svc web -o jsonpath='{.metadata.managedFields[?(@.manager=="kubectl-client-side-apply")].fieldsV1}'
run kubectl patch sts web --type=merge -p '{"spec":{"replicas":1}}'
run kubectl patch sts web --type=strategic -p '{"metadata":{"labels":{"tier":"web"}}}'
run kubectl patch sts web --type=strategic -p '{"metadata":{"labels":{"tier":"web"}}}'
run kubectl label sts web tier-
run kubectl get sts web -o jsonpath='{.metadata.labels}'
# server-side apply against fields client-side apply and kubectl set own
sts_yaml web 3 | run kubectl apply --server-side -f -
sts_yaml web 3 | run kubectl apply --server-side --dry-run=server -f -
sts_yaml web 3 | run kubectl apply --server-side --force-conflicts -f -
managers
settle kubectl rollout status sts/web --timeout=120s
run kubectl set image sts/web nginx=registry.k8s.io/nginx-slim:0.28
managers
sts_yaml web 3 | run kubectl apply --server-side -f -
sts_yaml web 3 | run kubectl apply --server-side --field-manager=other -f -
sts_yaml web 3 | run kubectl apply --server-side --force-conflicts -f -
managers
run kubectl get sts web -o jsonpath='{.spec.template.spec.containers[0].image}'
# a label only the applier owned goes when its configuration drops it
printf 'apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: web\n  labels: {owned: "yes"}\n' | run kubectl apply --server-side --field-manager=labeller -f -
run kubectl get sts web -o jsonpath='{.metadata.labels}'
printf 'apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: web\n' | run kubectl apply --server-side --field-manager=labeller -f -
run kubectl get sts web -o jsonpath='{.metadata.labels}'
managers
# a label two appliers set stays when one of them drops it; the other then owns it alone
printf 'apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: web\n  labels: {owned: "yes", shared: "yes"}\n' | run kubectl apply --server-side --field-manager=labeller -f -
printf 'apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: web\n  labels: {shared: "yes"}\n' | run kubectl apply --server-side --field-manager=co-labeller -f -
printf 'apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: web\n' | run kubectl apply --server-side --field-manager=labeller -f -
run kubectl get sts web -o jsonpath='{.metadata.labels}'
printf 'apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: web\n  labels: {shared: "no"}\n' | run kubectl apply --server-side --field-manager=labeller -f -
# the field sets as the API server records them: the applier's, the co-labeller's, the controller's status
run kubectl get sts web -o jsonpath='{.metadata.managedFields[?(@.manager=="kubectl")].fieldsV1}'
run kubectl get sts web -o jsonpath='{.metadata.managedFields[?(@.manager=="co-labeller")].fieldsV1}'
run kubectl get sts web -o jsonpath='{.metadata.managedFields[?(@.subresource=="status")].fieldsV1}'
settle kubectl rollout status sts/web --timeout=120s
revisions web
# the scale subresource takes spec.replicas over from the applier (its entry, mapped back to the
# StatefulSet, keeps no time); the applier then conflicts with it
run kubectl scale sts web --replicas=2
runs kubectl get sts web -o jsonpath='{range .metadata.managedFields[*]}{.manager} {.operation} {.subresource} [{.time}]{"\n"}{end}'
sts_yaml web 3 | run kubectl apply --server-side -f -
