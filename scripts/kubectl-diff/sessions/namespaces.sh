# Namespaces: create, use, delete (the namespace controller empties it), and writes into it afterwards.
X=$NS-x
run kubectl create namespace $X
run kubectl get namespace $X
run kubectl describe namespace $X
run kubectl create configmap cfg -n $X --from-literal=a=b
sts_yaml web 1 | run kubectl apply -n $X -f -
settle kubectl rollout status sts/web -n $X --timeout=120s
runs kubectl get serviceaccounts,configmaps -n $X -o name
run kubectl create namespace $X
run kubectl delete namespace $X --timeout=120s
run kubectl get namespace $X
run kubectl get pods -n $X
sts_yaml web 1 | run kubectl apply -n $X -f -
run kubectl delete namespace $X
run kubectl create namespace Bad_NS
