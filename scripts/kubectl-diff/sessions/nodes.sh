# The nodes (first, alone: describe lists the pods on a node).
run kubectl get nodes -o wide
run kubectl describe node sim-node-0
run kubectl get node sim-node-0 -o yaml
run kubectl get storageclasses
