#!/usr/bin/env bash
# The DARTS cell's two-stage search step of this checkout against another commit's, interleaved in one run
# (benchmarks/IstaNas.Benchmarks/StepVsBuild.cs). Usage, from the repository root, on a quiet machine:
#   benchmarks/step-vs-commit.sh COMMIT [step-vs-build options, e.g. --rounds 8 --sizes "16 8 64"]
# It checks COMMIT out into a temporary git worktree, builds both benchmark drivers (Release) and runs them.
set -euo pipefail
cd "$(dirname "$0")/.."
commit=${1:?usage: benchmarks/step-vs-commit.sh COMMIT [options]}
shift
other=$(mktemp -d /tmp/istanas-step-vs-commit.XXXXXX)
trap 'git worktree remove --force "$other" >/dev/null 2>&1 || true; rm -rf "$other"' EXIT
git worktree add --detach "$other" "$commit" >/dev/null
dotnet build "$other/benchmarks/IstaNas.Benchmarks" -c Release -v q -nologo >/dev/null
dotnet build benchmarks/IstaNas.Benchmarks -c Release -v q -nologo >/dev/null
dotnet benchmarks/IstaNas.Benchmarks/bin/Release/net10.0/IstaNas.Benchmarks.dll step-vs-build \
  "$other/benchmarks/IstaNas.Benchmarks/bin/Release/net10.0/IstaNas.Benchmarks.dll" "$@"
