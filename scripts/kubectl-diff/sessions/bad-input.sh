# Bad input on every write path: wrong types, unknown fields, invalid values, immutable fields.
# After the rejected writes the object is unchanged.
sts_yaml web 1 | run kubectl apply -f -
settle kubectl rollout status sts/web --timeout=120s
run kubectl get sts web -o jsonpath='{.metadata.generation} {.spec.replicas}'
# create
sts_yaml bad1 'three' | run kubectl create -f -
sts_yaml bad2 1 'replica: 2' | run kubectl create -f -
sts_yaml bad3 -1 | run kubectl create -f -
sts_yaml Bad_Name 1 | run kubectl create -f -
sts_yaml bad4 1 'podManagementPolicy: Sometimes' | run kubectl create -f -
sts_yaml bad5 1 'updateStrategy: {type: Sideways}' | run kubectl create -f -
sts_yaml bad6 1 | sed 's/matchLabels: {app: bad6}/matchLabels: {app: other}/' | run kubectl create -f -
# apply, with each field validation level
sts_yaml web 1 'replica: 2' | run kubectl apply -f -
sts_yaml web 1 'replica: 2' | run kubectl apply --validate=warn -f -
sts_yaml web 1 'replica: 2' | run kubectl apply --validate=false -f -
sts_yaml web 'three' | run kubectl apply -f -
sts_yaml web 1 'replicas: 2' | run kubectl apply -f -
sts_yaml web 1 | run kubectl apply --server-side -f -
sts_yaml web 'three' | run kubectl apply --server-side -f -
sts_yaml web 1 'replica: 2' | run kubectl apply --server-side -f -
# patch: merge, strategic, json
run kubectl patch sts web --type=merge -p '{"spec":{"replicas":"three"}}'
run kubectl patch sts web --type=strategic -p '{"spec":{"replicas":"three"}}'
run kubectl patch sts web --type=json -p '[{"op":"replace","path":"/spec/replicas","value":"three"}]'
run kubectl patch sts web --type=merge -p '{"spec":{"replica":2}}'
run kubectl patch sts web --type=strategic -p '{"spec":{"replica":2}}'
run kubectl patch sts web --type=json -p '[{"op":"add","path":"/spec/replica","value":2}]'
run kubectl patch sts web --type=json -p '[{"op":"replace","path":"/spec/nothere/x","value":2}]'
run kubectl patch sts web --type=json -p '[{"op":"test","path":"/spec/replicas","value":7}]'
run kubectl patch sts web --type=merge -p '{"spec":{"replicas":-3}}'
run kubectl patch sts web --type=merge -p '{"spec":{"serviceName":"other"}}'
run kubectl patch sts web --type=merge -p '{"spec":{"selector":{"matchLabels":{"app":"other"}}}}'
run kubectl patch sts web --type=merge -p '{"spec":{"template":{"spec":{"containers":[{"name":"nginx"}]}}}}'
run kubectl patch sts web --type=merge -p 'not json'
run kubectl patch sts web --type=merge -p '{"spec":{"replicas":1}}'
# replace (what edit does), scale, set image, label
sh_run "kubectl get sts web -o yaml | sed 's/serviceName: web/serviceName: other/' | kubectl replace -f -"
sh_run "kubectl get sts web -o yaml | sed 's/replicas: 1/replicas: three/' | kubectl replace -f -"
sh_run "kubectl get sts web -o yaml | sed 's/^  resourceVersion: .*/  resourceVersion: \"1\"/' | kubectl replace -f -"
run kubectl scale sts web --replicas=-1
run kubectl scale sts web --replicas=2 --resource-version=1
run kubectl scale sts nothere --replicas=2
run kubectl set image sts/web nosuch=nginx:1
run kubectl set image sts/web nginx=
run kubectl label sts web 'bad label=x'
run kubectl label sts web app=-bad-
run kubectl annotate sts web note=ok
run kubectl annotate sts web note-
sh_run "printf '{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\",\"ports\":[{\"containerPort\":\"eighty\"}]}]}}' | kubectl create -f -"
sh_run "printf '{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[]}}' | kubectl create -f -"
sh_run "printf '{\"apiVersion\":\"apps/v9\",\"kind\":\"StatefulSet\",\"metadata\":{\"name\":\"p\"}}' | kubectl create -f -"
run kubectl get sts web -o jsonpath='{.metadata.generation} {.spec.replicas} {.metadata.annotations}'
run kubectl get sts
revisions web
