#!/usr/bin/env bash
# Blue/Green for the `web` Service, gated by metrics:
#   ./promote.sh registry.example.com/shop/web:1.5.0
# 1. find the live color from the Service's selector, roll the new image out on the idle color;
# 2. `assay promote`: smoke-test the idle color, switch the selector, watch the error ratio, and
#    switch back by itself if it goes bad (or if this job is cancelled);
# 3. scale down whichever color lost.
# Needs kubectl and assay on PATH, and a kubeconfig for the ServiceAccount in rbac.yaml.
set -euo pipefail

IMAGE=${1:?usage: promote.sh IMAGE}
NS=${NAMESPACE:-shop}

live=$(kubectl -n "$NS" get service web -o jsonpath='{.spec.selector.color}')
if [[ $live == blue ]]; then idle=green; else idle=blue; fi
echo "live: $live, deploying $IMAGE to $idle"

kubectl -n "$NS" set image "deployment/web-$idle" "web=$IMAGE"
kubectl -n "$NS" scale "deployment/web-$idle" --replicas=3
kubectl -n "$NS" rollout status "deployment/web-$idle" --timeout=5m

status=0
assay promote --service web --selector "app=web,color=$idle" -n "$NS" \
  --pre analysis/smoke.yaml --post analysis/error-ratio.yaml -a "color=$idle" \
  --timeout 15m --output json > promotion.json || status=$?

if [[ $status -eq 0 ]]; then
  echo "promoted: traffic is on $idle; scaling down $live"
  kubectl -n "$NS" scale "deployment/web-$live" --replicas=0
else
  # Not promoted, or rolled back: traffic is on $live again. jq shows why.
  echo "not promoted (exit $status): $(jq -r .message promotion.json 2>/dev/null || echo 'see above')"
  kubectl -n "$NS" scale "deployment/web-$idle" --replicas=0
fi
exit "$status"
