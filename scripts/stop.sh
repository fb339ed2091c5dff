#!/usr/bin/env bash
# `make stop`: stop the stack that `make run` started in $PROJECT/var.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Tell a `make run` waiting in another terminal that this stop was asked for.
mkdir -p "$ITINERA_PROJECT/var/run" && touch "$ITINERA_PROJECT/var/run/stop-requested"
exec "$ITINERA_PROJECT/scripts/stack" down "$ITINERA_PROJECT/var"
