#!/usr/bin/env bash
# The README's test command: builds everything (warnings are errors) and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")"
dotnet build IstaNas.sln -c Release
dotnet test IstaNas.sln -c Release --no-build --logger "console;verbosity=normal"
