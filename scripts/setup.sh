#!/usr/bin/env bash
# Prepares a fresh machine (Debian, Node.js and npm present) to build and test fastify-login:
# the npm dependencies, then Chromium (end-to-end tests), redis-server (Redis tests) and Python's
# Flask, Flask-Login and itsdangerous (the Flask tests) from
# Debian's packages when they are missing. Idempotent: what is already there is left alone.
set -euo pipefail

cd "$(dirname "$0")/.."

echo "setup: node $(node --version), npm $(npm --version 2>/dev/null)"

if [ -f package-lock.json ]; then
  echo "setup: npm ci (from package-lock.json)"
  npm ci --no-audit --no-fund
else
  echo "setup: npm install (no package-lock.json)"
  npm install --no-audit --no-fund
fi

missing=()
command -v chromium > /dev/null 2>&1 || missing+=(chromium)
command -v redis-server > /dev/null 2>&1 || missing+=(redis-server)
# the Flask tests (signing vectors, test/flask) run Debian's python3 with these packages
for module in flask:python3-flask flask_login:python3-flask-login itsdangerous:python3-itsdangerous; do
  /usr/bin/python3 -c "import ${module%%:*}" > /dev/null 2>&1 || missing+=("${module#*:}")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: chromium, redis-server, python3-flask, python3-flask-login and python3-itsdangerous are installed"
else
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing ${missing[*]}; run as root, or install them first: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "setup: apt-get update"
  apt-get update
  echo "setup: apt-get install -y ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi

echo "setup: chromium: $(chromium --version 2>/dev/null || echo 'found, version unknown')"
echo "setup: redis-server: $(redis-server --version)"
echo "setup: done"
