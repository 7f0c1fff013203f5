# Discovery and OpenAPI as kubectl uses them.
runs kubectl api-versions
run kubectl api-resources --api-group=apps -o wide
run kubectl api-resources --namespaced=false --api-group=''
run kubectl explain statefulset.spec.podManagementPolicy
run kubectl explain statefulset.spec.persistentVolumeClaimRetentionPolicy --recursive
sh_run 'kubectl get --raw /openapi/v2 >/dev/null && echo served'
sh_run 'kubectl get --raw /openapi/v3/apis/apps/v1 >/dev/null && echo served'
sh_run 'kubectl version | grep -v Kustomize'
