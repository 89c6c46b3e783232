#!/usr/bin/env bash
# Creates bench/openfisca/.venv with what run.py needs: openfisca-core (the peer's pinned
# version), numpy (comes with it) and pyarrow (fast, exact CSV reading).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="${PYTHON:-python3.11}"
command -v "$python" >/dev/null 2>&1 || python=python3
if [ ! -x "$here/.venv/bin/python" ]; then
  "$python" -m venv "$here/.venv"
fi
"$here/.venv/bin/pip" install --quiet --upgrade pip
"$here/.venv/bin/pip" install --quiet "openfisca-core==46.0.1" "numpy==2.4.6" "pyarrow==26.0.1"
"$here/.venv/bin/python" -c 'import importlib.metadata as m, numpy, pyarrow; print("openfisca-core", m.version("openfisca-core"), "numpy", numpy.__version__, "pyarrow", pyarrow.__version__)'
