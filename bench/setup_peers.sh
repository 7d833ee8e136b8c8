#!/bin/sh
# Sets up the peer tools the benchmark compares dnssec-doctor with (`make bench` runs it).
#
# From Debian (installed by `make bench` through `make debian-packages`):
#   ldns-verify-zone (ldnsutils), dnssec-verify (bind9-dnsutils), validns (validns),
#   kzonecheck (knot-dnssecutils), zonemaster-cli (zonemaster-cli), and python3-pygraphviz
#   (pulled in by the Debian dnsviz package).
#
# DNSViz comes from PyPI instead: Debian bookworm ships dnsviz 0.9.4, whose `grok` says
# pygraphviz is missing although it is installed, so it cannot judge anything. We install
# dnsviz 0.11.2 into bench/.venv-dnsviz, a venv of the system python3 that also sees the
# system site-packages, so it reuses Debian's python3-pygraphviz (PyPI only has pygraphviz
# as source, which would need graphviz-dev and a C compiler). bench/peers.py runs it as
# bench/.venv-dnsviz/bin/dnsviz.
#
# Idempotent: does nothing when the right version is already there.
set -eu

DNSVIZ_VERSION=0.11.2
here=$(cd "$(dirname "$0")" && pwd)
venv="$here/.venv-dnsviz"

have_version() {
    [ -x "$venv/bin/dnsviz" ] && "$venv/bin/python" - "$DNSVIZ_VERSION" <<'EOF' 2>/dev/null
import importlib.metadata, sys
sys.exit(importlib.metadata.version("dnsviz") != sys.argv[1])
EOF
}

missing=""
for tool in ldns-verify-zone dnssec-verify validns kzonecheck zonemaster-cli; do
    PATH="$PATH:/usr/sbin:/sbin" command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
if [ -n "$missing" ]; then
    echo "setup_peers: missing:$missing (run \`make bench\` as root, or apt-get install" \
        "ldnsutils bind9-dnsutils validns knot-dnssecutils zonemaster-cli)" >&2
    exit 1
fi
/usr/bin/python3 -c 'import pygraphviz' 2>/dev/null || {
    echo "setup_peers: python3-pygraphviz is missing (apt-get install python3-pygraphviz)" >&2
    exit 1
}

if have_version; then
    echo "setup_peers: dnsviz $DNSVIZ_VERSION ready in $venv"
    exit 0
fi
rm -rf "$venv"
/usr/bin/python3 -m venv --system-site-packages "$venv"
# Keep the venv out of git and out of ruff (which honours .gitignore files).
printf '*\n' > "$venv/.gitignore"
"$venv/bin/python" -m pip install -q "dnsviz==$DNSVIZ_VERSION"
have_version || { echo "setup_peers: dnsviz $DNSVIZ_VERSION did not install" >&2; exit 1; }
"$venv/bin/dnsviz" help grok >/dev/null
echo "setup_peers: dnsviz $DNSVIZ_VERSION installed in $venv"
