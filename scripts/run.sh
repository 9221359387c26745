#!/usr/bin/env bash
# Builds webchat (Release) into build/ and runs webchatd on the shipped
# configuration: the chat page on http://localhost:8080/.
# Extra arguments go to webchatd, e.g. scripts/run.sh --define=listeners.page.port=9090
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DWEBCHAT_BUILD_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)"
exec build/bin/webchatd "$@"
