#!/bin/sh
# Health check of the sample app. A release whose BROKEN file exists fails here, on purpose, to show a rollback.
cd "$(dirname "$0")/.."
if [ -e BROKEN ]; then
  echo "health: $(cat BROKEN)" >&2
  exit 1
fi
echo "health: ok ($(cat VERSION))"
