# Sourced by scripts/test and scripts/bench-collect: makes sure .venv holds the moto server,
# pyarrow and jsonschema (tests/moto/requirements.txt) and exports where it is.
venv=.venv
if [ ! -x "$venv/bin/moto_server" ] || ! "$venv/bin/python" -c "import moto, boto3, pyarrow, jsonschema" 2>/dev/null; then
  echo "creating $venv with moto, pyarrow and jsonschema" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r tests/moto/requirements.txt
fi
export GOVSCAN_MOTO_SERVER="$PWD/$venv/bin/moto_server"
export GOVSCAN_TEST_PYTHON="$PWD/$venv/bin/python"
