#!/usr/bin/env bash
# Create one LiteLLM virtual key per learner, each with its own budget and expiry.
# Usage: PROXY_URL=https://llm.example.org LITELLM_MASTER_KEY=sk-... \
#        deploy/litellm-proxy/make-keys.sh learners.txt > keys.csv
# learners.txt: one learner id per line. keys.csv (learner,key) is a secret: hand each
# learner their own line (e.g. as a per-user env var on JupyterHub), never the file.
#
# Without a database (config.workshop.yaml + learner_budgets.py):
#        BUDGET=2.00 deploy/litellm-proxy/make-keys.sh --no-db learners.txt
# writes learners.csv (learner,key_sha256,max_budget_usd: for the proxy's LEARNER_KEYS_FILE)
# and keys.csv (learner,key: a secret, hand each learner their line). No proxy call.
set -euo pipefail
if [ "${1:-}" = "--no-db" ]; then
    BUDGET="${BUDGET:-2.00}"
    umask 077
    echo "learner,key_sha256,max_budget_usd" > learners.csv
    echo "learner,key" > keys.csv
    while IFS= read -r learner; do
        [ -z "$learner" ] && continue
        key="sk-$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
        sha=$(printf '%s' "$key" | sha256sum | cut -d' ' -f1)
        echo "$learner,$sha,$BUDGET" >> learners.csv
        echo "$learner,$key" >> keys.csv
    done < "${2:?usage: make-keys.sh --no-db learners.txt}"
    echo "wrote learners.csv (for LEARNER_KEYS_FILE) and keys.csv (hand out, then delete)" >&2
    exit 0
fi
: "${PROXY_URL:?set PROXY_URL, e.g. http://127.0.0.1:4000}"
: "${LITELLM_MASTER_KEY:?set LITELLM_MASTER_KEY (the proxy admin key)}"
BUDGET="${BUDGET:-2.00}"        # US dollars per learner for the whole workshop
DURATION="${DURATION:-3d}"      # the key stops working after this
MODELS="${MODELS:-[\"gpt-oss-20b\", \"gpt-oss-120b\", \"gpt-oss-120b-together\", \"gpt-4o-mini\"]}"
echo "learner,key"
while IFS= read -r learner; do
    [ -z "$learner" ] && continue
    key=$(curl -fsS -X POST "$PROXY_URL/key/generate" \
        -H "Authorization: Bearer $LITELLM_MASTER_KEY" -H "Content-Type: application/json" \
        -d "{\"key_alias\": \"$learner\", \"user_id\": \"$learner\", \"models\": $MODELS,
             \"max_budget\": $BUDGET, \"duration\": \"$DURATION\", \"rpm_limit\": 20,
             \"metadata\": {\"course\": \"osai-econ\"}}" \
        | python3 -c 'import json, sys; print(json.load(sys.stdin)["key"])')
    echo "$learner,$key"
done < "${1:?usage: make-keys.sh learners.txt}"
