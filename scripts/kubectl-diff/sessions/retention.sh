# PVC retention: whenScaled/whenDeleted Delete on "del", the default Retain on "keep".
sts_yaml del 3 'persistentVolumeClaimRetentionPolicy: {whenScaled: Delete, whenDeleted: Delete}' | run kubectl apply -f -
sts_yaml keep 2 | run kubectl apply -f -
settle kubectl rollout status sts/del --timeout=120s
settle kubectl rollout status sts/keep --timeout=120s
runs kubectl get pvc -o 'custom-columns=NAME:.metadata.name,STATUS:.status.phase,OWNERS:.metadata.ownerReferences[*].kind,OWNER_NAMES:.metadata.ownerReferences[*].name' --no-headers
run kubectl get sts del -o jsonpath='{.spec.persistentVolumeClaimRetentionPolicy}'
run kubectl get sts keep -o jsonpath='{.spec.persistentVolumeClaimRetentionPolicy}'
revisions
run kubectl scale sts del --replicas=1
gone kubectl wait --for=delete pvc/data-del-2 pvc/data-del-1 --timeout=120s
run kubectl scale sts keep --replicas=1
gone kubectl wait --for=delete pod/keep-1 --timeout=120s
runs kubectl get pvc -o 'custom-columns=NAME:.metadata.name,STATUS:.status.phase,OWNERS:.metadata.ownerReferences[*].kind' --no-headers
run kubectl delete sts del keep
gone kubectl wait --for=delete pvc/data-del-0 --timeout=120s
gone kubectl wait --for=delete pod/keep-0 --timeout=120s
run kubectl get pvc -o wide
sh_run "kubectl get pv -o custom-columns=CLAIM:.spec.claimRef.name,NS:.spec.claimRef.namespace,STATUS:.status.phase,RECLAIM:.spec.persistentVolumeReclaimPolicy,CLASS:.spec.storageClassName --no-headers | grep \" $NS \" | grep keep | sort"
