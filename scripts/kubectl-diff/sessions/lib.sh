# Helpers every kubectl-diff session is sourced after (bash). The driver sets KUBECONFIG (a copy
# whose context's namespace is $NS), NS and PATH (the pinned kubectl first), and creates $NS.
#
# A transcript step is "$ <command>", what it printed (stdout and stderr, in order), "[exit N]".
# Waits are kubectl's own with timeouts, never sleeps: `runs kubectl wait …` (its lines sorted: pods
# may meet the condition in any order) and `settle kubectl rollout status …`.

set -u

# run CMD…: one step, everything it prints.
run() {
  echo "\$ $*"
  local out rc
  out=$("$@" 2>&1)
  rc=$?
  [ -n "$out" ] && printf '%s\n' "$out"
  echo "[exit $rc]"
}

# runs CMD…: one step, its lines sorted (for lists whose order is the cluster's choice).
runs() {
  echo "\$ $*"
  local out rc
  out=$("$@" 2>&1)
  rc=$?
  [ -n "$out" ] && printf '%s\n' "$out" | LC_ALL=C sort
  echo "[exit $rc]"
}

# settle CMD…: rollout status: only its last line and exit code, since
# the progress lines before it depend on timing.
settle() {
  echo "\$ $*"
  local out rc
  out=$("$@" 2>&1)
  rc=$?
  printf '%s\n' "$out" | tail -n 1
  echo "[exit $rc]"
}

# gone CMD…: `kubectl wait --for=delete`: only its exit code (a pod already gone prints nothing).
gone() {
  echo "\$ $*"
  "$@" >/dev/null 2>&1
  echo "[exit $?]"
}

# sh_run 'pipeline': one step (printed as "$ bash -c …") for a shell pipeline (a filter that drops what a session must not compare).
sh_run() {
  run bash -c "$1"
}

# revisions [SET]: the ControllerRevisions, oldest first, with the revision number. The driver
# checks that their names (the hash of the template) are equal on both clusters.
revisions() {
  runs kubectl get controllerrevisions ${1:+-l app=$1} -o custom-columns=NAME:.metadata.name,REVISION:.revision,OWNER:.metadata.ownerReferences[0].name --no-headers
}

# podrevs: each pod with its revision label and ready state, by name.
podrevs() {
  runs kubectl get pods -o 'custom-columns=NAME:.metadata.name,REVISION:.metadata.labels.controller-revision-hash,INDEX:.metadata.labels.apps\.kubernetes\.io/pod-index,IMAGE:.spec.containers[0].image,DELETING:.metadata.deletionTimestamp' --no-headers
}

# sts_yaml NAME [REPLICAS] [EXTRA SPEC YAML]: a headless Service and a StatefulSet "NAME"
# (app=NAME, nginx, one claim "data" of 1Mi) on stdin for kubectl apply/create; EXTRA is indented
# into the spec.
sts_yaml() {
  local name=$1 replicas=${2:-3} extra=${3:-}
  cat <<EOF
apiVersion: v1
kind: Service
metadata:
  name: $name
  labels: {app: $name}
spec:
  clusterIP: None
  selector: {app: $name}
  ports: [{name: web, port: 80}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: $name
spec:
  serviceName: $name
  replicas: $replicas
  selector:
    matchLabels: {app: $name}
$(printf '%s\n' "$extra" | sed 's/^/  /')
  template:
    metadata:
      labels: {app: $name}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: nginx
        image: registry.k8s.io/nginx-slim:0.27
        ports: [{name: web, containerPort: 80}]
        volumeMounts: [{name: data, mountPath: /usr/share/nginx/html}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Mi}}
EOF
}
