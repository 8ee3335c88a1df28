# Helpers shared by the benchmark harnesses (sourced, never run). The caller sets BENCH_TAG (the
# prefix of its log lines) before sourcing.

log() { printf '[%s] %s\n' "${BENCH_TAG:-bench}" "$*" >&2; }
die() {
    printf '[%s] error: %s\n' "${BENCH_TAG:-bench}" "$*" >&2
    exit 1
}

# apt_need CMD PACKAGE...: installs the Debian packages when CMD is missing (root only).
apt_need() {
    local cmd="$1"
    shift
    if command -v "$cmd" >/dev/null 2>&1 || [[ -x "$cmd" ]]; then
        return 0
    fi
    [[ "$(id -u)" == 0 ]] || die "$cmd is missing: install $* (apt-get install -y $*)"
    log "installing $*"
    if ! DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq "$@" >/dev/null 2>&1; then
        timeout 300 apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq "$@" >/dev/null
    fi
}

# A TCP port on 127.0.0.1 that nothing listens on now.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Runs a PostgreSQL program as the postgres user when we are root (the server refuses root).
pg_run() {
    if [[ "$(id -u)" == 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}
