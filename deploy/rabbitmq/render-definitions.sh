#!/bin/sh
# Compose's RabbitMQ entrypoint (issue 16): writes the broker's definitions — the operators' administrator and one user
# per platform service with only its own permissions — from the template definitions.json beside this script, each
# ${NOTIFICHE_RABBITMQ_…_PASSWORD} replaced by the variable compose passes from .env, then starts the image's own
# entrypoint. rabbitmq.conf loads the result at every boot, so a password changed in .env takes effect on restart.
#
# Kubernetes (deploy/kubernetes/README.md, "Broker users"): with NOTIFICHE_DEFINITIONS_TEMPLATE and
# NOTIFICHE_DEFINITIONS_OUTPUT set it renders that template to that file and exits, starting nothing: the result becomes
# the Secret the RabbitmqCluster loads.
set -eu
template=${NOTIFICHE_DEFINITIONS_TEMPLATE:-/etc/rabbitmq/notifiche/definitions.json}
rendered=${NOTIFICHE_DEFINITIONS_OUTPUT:-/tmp/notifiche-definitions.json}
umask 077
content=$(cat "$template")
for name in $(grep -o '\${NOTIFICHE_RABBITMQ_[A-Z_]*}' "$template" | tr -d '${}' | sort -u); do
    value=$(printenv "$name" || true)
    if [ -z "$value" ]; then
        echo "render-definitions: $name is not set (see .env.example)" >&2
        exit 1
    fi
    # The value goes into JSON and a sed replacement: only the characters of base64 (openssl rand -base64 32) and '-', '_', '.'.
    case "$value" in
        *[!A-Za-z0-9+/=._-]*)
            echo "render-definitions: $name may contain only A-Z a-z 0-9 + / = . _ - (openssl rand -base64 32 makes one)" >&2
            exit 1
            ;;
    esac
    content=$(printf '%s' "$content" | sed "s|\${$name}|$value|g")
done
printf '%s\n' "$content" > "$rendered"
if [ -n "${NOTIFICHE_DEFINITIONS_OUTPUT:-}" ]; then
    exit 0
fi
chown rabbitmq:rabbitmq "$rendered" 2>/dev/null || true
exec docker-entrypoint.sh "$@"
