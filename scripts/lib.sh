# shellcheck shell=bash
# Shared helpers for the Itinera scripts. Source it from a bash script that has `set -euo pipefail`:
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#
# Layout of a stack directory (VARDIR, e.g. $PROJECT/var or a temp dir):
#   VARDIR/pg/                      PostgreSQL data directory (cluster owned by `nobody` when run as root)
#   VARDIR/run/                     unix sockets and pid files: .s.PGSQL.5432, itinera.sock, itinera.pid, nginx.pid
#   VARDIR/log/                     postgresql.log, itinera.log
#   VARDIR/nginx/                   nginx prefix: nginx.conf (rendered), logs/, tmp/
#   VARDIR/stack.env                environment the pool was started with (written by scripts/stack up)
#
# Functions (all write progress to stderr, results to stdout):
#   ensure_packages [--with-test-tools]  install missing Debian packages (root) or print the apt line and exit 1
#   ensure_python_modules                make `import pytest, requests, argon2, selenium, schemathesis, …` work (pip install when missing)
#   ensure_vardir VARDIR                 create VARDIR/{run,log} (and make them reachable by `nobody` when root)
#   pg_init VARDIR                       initdb into VARDIR/pg if absent (trust on the unix socket, no TCP)
#   pg_start VARDIR                      start the cluster (no-op when running), then ensure role+db `itinera`
#   pg_ensure_db VARDIR                  create roles `itinera` (owner) and `itinera_app` (the workers'), and
#                                        database `itinera` OWNER itinera, marked as the local cluster (idempotent)
#   pg_stop VARDIR                       stop the cluster (fast mode) if it runs
#   pg_running VARDIR                    exit status 0 when the cluster runs
#   pg_database_url VARDIR [ROLE]        print the libpq URI of the VARDIR cluster for ROLE (itinera_app)
#   render_nginx_conf VARDIR PORT SOCKET [bench]   nginx/itinera.conf.template -> VARDIR/nginx/nginx.conf
#   nginx_start VARDIR / nginx_stop VARDIR / nginx_running VARDIR
#   pool_start VARDIR BINARY WORKERS / pool_stop VARDIR / pool_running VARDIR
#   worker_start VARDIR BINARY / worker_stop VARDIR / worker_running VARDIR   the outbox worker
#   free_port                            print a free TCP port on 127.0.0.1
#   print_demo_logins                    the "Demo logins:" lines `make run` prints

ITINERA_PROJECT="${ITINERA_PROJECT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"

# Debian packages the build, the stack and the tests need. Extend this list when a feature needs more.
ITINERA_APT_PACKAGES=(
    nginx libnginx-mod-nchan libfcgi-dev libpq-dev libssl-dev libargon2-dev libcurl4-openssl-dev
    postgresql postgresql-contrib pkg-config wrk curl
)
# Only `make test` needs these: the portal tests drive a headless Chromium.
ITINERA_TEST_APT_PACKAGES=(chromium chromium-driver)

# The user that owns the PostgreSQL cluster when the scripts run as root (initdb/postgres refuse root).
ITINERA_PG_USER="${ITINERA_PG_USER:-nobody}"

log() { printf '%s\n' "$*" >&2; }
die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

is_root() { [[ "$(id -u)" -eq 0 ]]; }

# ---------------------------------------------------------------------------------------------------
# Packages

# ensure_packages [--with-test-tools]
ensure_packages() {
    local missing=() pkg status wanted=("${ITINERA_APT_PACKAGES[@]}")
    [[ "${1:-}" == --with-test-tools ]] && wanted+=("${ITINERA_TEST_APT_PACKAGES[@]}")
    for pkg in "${wanted[@]}"; do
        status="$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)"
        [[ "$status" == ii* ]] || missing+=("$pkg")
    done
    ((${#missing[@]} == 0)) && return 0

    if ! is_root; then
        log "Missing Debian packages: ${missing[*]}"
        log "Install them with:"
        log "  sudo apt-get install -y ${missing[*]}"
        exit 1
    fi
    log "Installing missing Debian packages: ${missing[*]}"
    # apt-get update only when there are no package lists yet or the install fails on stale lists.
    if ! compgen -G '/var/lib/apt/lists/*_Packages' >/dev/null; then
        apt-get update -qq
    fi
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
    fi
}

ensure_python_modules() {
    command -v python3 >/dev/null || die "python3 is required for the integration tests"
    # import name → PyPI name; argon2 (argon2-cffi) lets the tests make hashes with other parameters,
    # selenium drives Debian's chromium for the portal tests; schemathesis fuzzes the API against
    # docs/openapi.yaml, which openapi-spec-validator checks.
    local -A modules=([pytest]=pytest [requests]=requests [argon2]=argon2-cffi [selenium]=selenium
        [schemathesis]=schemathesis [openapi_spec_validator]=openapi-spec-validator [yaml]=pyyaml)
    local missing=() name
    for name in "${!modules[@]}"; do
        python3 -c "import $name" 2>/dev/null || missing+=("${modules[$name]}")
    done
    ((${#missing[@]} == 0)) && return 0
    log "Installing Python modules for the tests (pip): ${missing[*]}"
    python3 -m pip install --quiet "${missing[@]}" ||
        die "could not install ${missing[*]} with pip (try: python3 -m pip install ${missing[*]})"
}

# ---------------------------------------------------------------------------------------------------
# Small process helpers

# pid_alive PID: status 0 when PID exists and is not a zombie. (Daemonised processes are reparented
# to PID 1; when that init is slow to reap, `kill -0` alone would report the exited ones as alive.)
pid_alive() {
    local state=""
    kill -0 "$1" 2>/dev/null || return 1
    if [[ -r "/proc/$1/stat" ]]; then
        state="$(sed -e 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)"
    fi
    [[ "$state" != Z ]]
}

# group_alive PGID: status 0 when a live (non-zombie) process is in process group PGID.
group_alive() {
    local p
    for p in $(pgrep -g "$1" 2>/dev/null || true); do
        pid_alive "$p" && return 0
    done
    return 1
}

# pid_from_file FILE: prints the pid stored in FILE if that process is alive; status 1 otherwise.
pid_from_file() {
    local file="$1" pid
    [[ -f "$file" ]] || return 1
    pid="$(head -n1 "$file" 2>/dev/null | tr -dc '0-9')"
    [[ -n "$pid" ]] || return 1
    pid_alive "$pid" || return 1
    printf '%s\n' "$pid"
}

# wait_gone PID SECONDS: waits until PID no longer exists; status 1 on timeout.
wait_gone() {
    local pid="$1" tenths=$(($2 * 10))
    while pid_alive "$pid"; do
        ((tenths-- > 0)) || return 1
        sleep 0.1
    done
}

# abspath PATH: absolute path (PATH need not exist).
abspath() {
    local p="$1"
    [[ "$p" == /* ]] || p="$PWD/$p"
    # Normalise "//" and "/./" without resolving symlinks.
    p="$(printf '%s' "$p" | sed -e 's#/\./#/#g' -e 's#//*#/#g' -e 's#/\.$##')"
    [[ "$p" == "/" ]] || p="${p%/}"
    printf '%s\n' "$p"
}

# port_in_use PORT: status 0 when something accepts connections on 127.0.0.1:PORT.
port_in_use() {
    python3 -c 'import socket, sys
s = socket.socket()
s.settimeout(1)
sys.exit(0 if s.connect_ex(("127.0.0.1", int(sys.argv[1]))) == 0 else 1)' "$1"
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# ---------------------------------------------------------------------------------------------------
# Stack directory

# as_pg_user CMD...: runs CMD as the cluster owner (nobody when root, else the current user).
as_pg_user() {
    if is_root; then
        runuser -u "$ITINERA_PG_USER" -- "$@"
    else
        "$@"
    fi
}

pg_bindir() {
    if [[ -n "${PG_BINDIR:-}" ]]; then
        printf '%s\n' "$PG_BINDIR"
        return
    fi
    local d
    # Newest installed server version first.
    d="$(printf '%s\n' /usr/lib/postgresql/*/bin/pg_ctl | sort -V | tail -n1)"
    if [[ -x "$d" && -x "${d%/pg_ctl}/initdb" ]]; then
        printf '%s\n' "${d%/pg_ctl}"
        return
    fi
    d="$(command -v initdb 2>/dev/null || true)"
    [[ -n "$d" ]] || die "PostgreSQL server binaries (initdb, pg_ctl) not found; install postgresql"
    dirname "$d"
}

# ensure_vardir VARDIR: creates VARDIR, VARDIR/run and VARDIR/log.
# As root the cluster runs as `nobody`, and nginx workers run as `nobody` too, so:
#   - VARDIR itself gets o+x (search only, no listing) and every parent must be searchable by nobody;
#   - VARDIR/run is owned by nobody (mode 0755): postgres creates its socket and lock file there, and
#     root (pool, nginx master) can write into it anyway.
ensure_vardir() {
    local vardir
    vardir="$(abspath "$1")"
    mkdir -p "$vardir/run" "$vardir/log"

    # Unix socket paths are limited to 107 bytes.
    local sock="$vardir/run/.s.PGSQL.5432"
    ((${#sock} < 104)) || die "stack directory path too long for unix sockets (${#sock} bytes): $vardir"

    if is_root; then
        chmod o+x "$vardir"
        chown "$ITINERA_PG_USER" "$vardir/run"
        chmod 0755 "$vardir/run"
        if ! runuser -u "$ITINERA_PG_USER" -- test -x "$vardir/run"; then
            # A parent directory is not searchable by nobody. Parents under the temp dir (mktemp -d
            # makes 0700 dirs) are opened for search; anything else is reported, never changed.
            local tmproot parent
            tmproot="$(abspath "${TMPDIR:-/tmp}")"
            parent="$(dirname "$vardir")"
            while [[ "$parent" == "$tmproot"/* ]]; do
                chmod o+x "$parent"
                parent="$(dirname "$parent")"
            done
            runuser -u "$ITINERA_PG_USER" -- test -x "$vardir/run" ||
                die "user $ITINERA_PG_USER cannot reach $vardir (PostgreSQL runs as $ITINERA_PG_USER when started as root); make its parent directories searchable, e.g. chmod o+x on each, or use a stack directory elsewhere"
        fi
    fi
}

# ---------------------------------------------------------------------------------------------------
# PostgreSQL

# pg_database_url VARDIR [ROLE]: the URI for ROLE (default itinera_app, the role the workers use;
# `itinera` is the owner that migrations, seeds and the CLI use).
pg_database_url() {
    local vardir role="${2:-itinera_app}"
    vardir="$(abspath "$1")"
    local host
    host="$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe="/"))' "$vardir/run")"
    printf 'postgresql://%s@/itinera?host=%s\n' "$role" "$host"
}

pg_init() {
    local vardir bindir
    vardir="$(abspath "$1")"
    bindir="$(pg_bindir)"
    ensure_vardir "$vardir"
    if [[ -f "$vardir/pg/PG_VERSION" ]]; then
        return 0
    fi
    log "Creating PostgreSQL cluster in $vardir/pg"
    mkdir -p "$vardir/pg"
    chmod 0700 "$vardir/pg"
    touch "$vardir/log/postgresql.log"
    if is_root; then
        chown "$ITINERA_PG_USER" "$vardir/pg" "$vardir/log/postgresql.log"
    fi
    (
        cd "$vardir"
        as_pg_user "$bindir/initdb" -D "$vardir/pg" -U postgres -E UTF8 --locale=C.UTF-8 \
            --auth-local=trust --auth-host=reject >"$vardir/log/initdb.log" 2>&1
    ) || {
        cat "$vardir/log/initdb.log" >&2
        die "initdb failed (see $vardir/log/initdb.log)"
    }
    # No TCP at all; the socket lives in VARDIR/run. (pg_start passes the same settings with -o.)
    cat >>"$vardir/pg/postgresql.conf" <<EOF

# Added by scripts/lib.sh (pg_init): unix socket only.
listen_addresses = ''
unix_socket_directories = '$vardir/run'
EOF
}

pg_running() {
    local vardir
    vardir="$(abspath "$1")"
    [[ -f "$vardir/pg/postmaster.pid" ]] || return 1
    (cd "$vardir" && as_pg_user "$(pg_bindir)/pg_ctl" -D "$vardir/pg" status >/dev/null 2>&1)
}

pg_start() {
    local vardir bindir
    vardir="$(abspath "$1")"
    bindir="$(pg_bindir)"
    [[ -f "$vardir/pg/PG_VERSION" ]] || die "no PostgreSQL cluster in $vardir/pg (run pg_init first)"
    ensure_vardir "$vardir"
    if pg_running "$vardir"; then
        log "PostgreSQL already running in $vardir/pg"
    else
        log "Starting PostgreSQL ($vardir/pg, socket in $vardir/run)"
        touch "$vardir/log/postgresql.log"
        if is_root; then
            chown "$ITINERA_PG_USER" "$vardir/log/postgresql.log"
        fi
        (
            cd "$vardir"
            as_pg_user "$bindir/pg_ctl" -D "$vardir/pg" -l "$vardir/log/postgresql.log" -w -t 60 \
                -o "-k '$vardir/run' -c listen_addresses=''" start >/dev/null
        ) || {
            tail -n 20 "$vardir/log/postgresql.log" >&2 || true
            die "PostgreSQL did not start (see $vardir/log/postgresql.log)"
        }
    fi
    pg_ensure_db "$vardir"
}

pg_ensure_db() {
    local vardir
    vardir="$(abspath "$1")"
    "$(pg_bindir)/psql" -X -q -v ON_ERROR_STOP=1 -h "$vardir/run" -U postgres -d postgres <<'SQL' >/dev/null
SELECT 'CREATE ROLE itinera LOGIN'
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'itinera') \gexec
SELECT 'CREATE ROLE itinera_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS'
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'itinera_app') \gexec
SELECT 'CREATE DATABASE itinera OWNER itinera ENCODING ''UTF8'''
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'itinera') \gexec
COMMENT ON DATABASE itinera IS 'itinera-local-cluster';
SQL
}

pg_stop() {
    local vardir
    vardir="$(abspath "$1")"
    pg_running "$vardir" || return 0
    log "Stopping PostgreSQL ($vardir/pg)"
    (cd "$vardir" && as_pg_user "$(pg_bindir)/pg_ctl" -D "$vardir/pg" -m fast -w -t 60 stop >/dev/null)
}

# ---------------------------------------------------------------------------------------------------
# nginx

# sed_escape STRING: escapes STRING for the replacement part of a sed s|…|…| command.
sed_escape() { printf '%s' "$1" | sed -e 's/[\\|&]/\\&/g'; }

render_nginx_conf() {
    local vardir port socket bench="${4:-}"
    vardir="$(abspath "$1")"
    port="$2"
    socket="$(abspath "$3")"
    [[ "$port" =~ ^[0-9]+$ ]] || die "render_nginx_conf: bad port '$port'"
    local template="$ITINERA_PROJECT/nginx/itinera.conf.template"
    [[ -f "$template" ]] || die "missing $template"

    local prefix="$vardir/nginx"
    mkdir -p "$prefix/logs" "$prefix/tmp"
    ensure_vardir "$vardir"

    local user_line bench_block=""
    if is_root; then
        # Workers drop to nobody; the master creates tmp/* and chowns them to that user.
        user_line="user nobody $(id -gn nobody);"
    else
        user_line="# not started as root: the workers run as the invoking user"
    fi
    if [[ "$bench" == "bench" || "$bench" == "--bench" || "$bench" == "1" ]]; then
        # nginx's own answer, and the reference booking read of scripts/bench.d/reference_read.c.
        bench_block='location = /bench/ref { default_type text/plain; return 200 "ok"; }'
        bench_block+=" location ^~ /bench/read/ { include /etc/nginx/fastcgi_params; fastcgi_keep_conn off;"
        bench_block+=" fastcgi_pass unix:$vardir/run/reference.sock; }"
    fi

    local login_rate="${ITINERA_LOGIN_RATE:-10r/m}" login_retry_after=1
    # One request per 60/N seconds at N r/m (rounded up); at N r/s the next second.
    if [[ "$login_rate" =~ ^([0-9]+)r/m$ ]] && ((BASH_REMATCH[1] > 0)); then
        login_retry_after=$(((60 + BASH_REMATCH[1] - 1) / BASH_REMATCH[1]))
    fi
    local stream_max="${ITINERA_STREAM_MAX_SECONDS:-900}"
    [[ "$stream_max" =~ ^[1-9][0-9]*$ ]] || die "ITINERA_STREAM_MAX_SECONDS must be a positive number of seconds"

    sed -e "s|{{PORT}}|$(sed_escape "$port")|g" \
        -e "s|{{SOCKET}}|$(sed_escape "$socket")|g" \
        -e "s|{{WWW}}|$(sed_escape "$ITINERA_PROJECT/www")|g" \
        -e "s|{{PREFIX}}|$(sed_escape "$prefix")|g" \
        -e "s|{{RUN}}|$(sed_escape "$vardir/run")|g" \
        -e "s|{{USER}}|$(sed_escape "$user_line")|g" \
        -e "s|{{BENCH}}|$(sed_escape "$bench_block")|g" \
        -e "s|{{LOGIN_RATE}}|$(sed_escape "$login_rate")|g" \
        -e "s|{{LOGIN_RETRY_AFTER}}|$login_retry_after|g" \
        -e "s|{{STREAM_MAX_SECONDS}}|$stream_max|g" \
        "$template" >"$prefix/nginx.conf.tmp"
    if grep -n '{{[A-Z_]*}}' "$prefix/nginx.conf.tmp" >&2; then
        die "unfilled placeholders in $prefix/nginx.conf"
    fi
    mv -f "$prefix/nginx.conf.tmp" "$prefix/nginx.conf"
}

nginx_cmd() {
    local prefix="$1/nginx"
    printf '%s\0' nginx -p "$prefix/" -c "$prefix/nginx.conf" -e "$prefix/logs/error.log"
}

nginx_running() {
    local vardir
    vardir="$(abspath "$1")"
    pid_from_file "$vardir/run/nginx.pid" >/dev/null
}

nginx_start() {
    local vardir
    vardir="$(abspath "$1")"
    [[ -f "$vardir/nginx/nginx.conf" ]] || die "no $vardir/nginx/nginx.conf (render_nginx_conf first)"
    if nginx_running "$vardir"; then
        die "nginx already running for $vardir (pid $(pid_from_file "$vardir/run/nginx.pid"))"
    fi
    # A publisher socket left by an nginx that did not stop cleanly would block the bind.
    rm -f "$vardir/run/nchan.sock"
    # nchan 1.3.6 creates /var/lib/nginx/body at start-up whatever the config says.
    if [[ ! -d /var/lib/nginx/body ]]; then
        if is_root; then
            mkdir -p /var/lib/nginx/body
        else
            log "warning: /var/lib/nginx/body does not exist and cannot be created without root (nchan wants it)"
        fi
    fi
    local argv=()
    mapfile -d '' argv < <(nginx_cmd "$vardir")
    "${argv[@]}" -t -q || die "nginx configuration test failed ($vardir/nginx/nginx.conf)"
    rm -f "$vardir/run/nginx.pid"
    log "Starting nginx (prefix $vardir/nginx)"
    "${argv[@]}" || die "nginx did not start (see $vardir/nginx/logs/error.log)"
    # The config says `daemon on`: the command returns once the master is forked; wait for its pid file.
    local i
    for ((i = 0; i < 50; i++)); do
        nginx_running "$vardir" && return 0
        sleep 0.1
    done
    die "nginx did not write $vardir/run/nginx.pid (see $vardir/nginx/logs/error.log)"
}

nginx_stop() {
    local vardir pid
    vardir="$(abspath "$1")"
    pid="$(pid_from_file "$vardir/run/nginx.pid")" || {
        rm -f "$vardir/run/nginx.pid"
        return 0
    }
    log "Stopping nginx (pid $pid)"
    kill -QUIT "$pid" 2>/dev/null || true
    if ! wait_gone "$pid" 10; then
        log "nginx did not finish gracefully in 10 s; sending TERM"
        kill -TERM "$pid" 2>/dev/null || true
        wait_gone "$pid" 5 || kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$vardir/run/nginx.pid"
}

# ---------------------------------------------------------------------------------------------------
# FastCGI pool

pool_running() {
    local vardir
    vardir="$(abspath "$1")"
    pid_from_file "$vardir/run/itinera.pid" >/dev/null
}

# pool_start VARDIR BINARY WORKERS: the environment (DATABASE_URL, ITINERA_*) is inherited.
# The socket must be connectable by nginx's workers: when they run as another user (nobody, as
# rendered for a root master) the socket is opened to all local users; otherwise owner and group only.
pool_socket_mode() {
    if [[ "$(id -u)" -eq 0 ]]; then echo 666; else echo 660; fi
}

pool_start() {
    local vardir binary workers="${3:-}"
    vardir="$(abspath "$1")"
    binary="$(abspath "$2")"
    [[ -x "$binary" ]] || die "itinera binary not found or not executable: $binary"
    [[ "$workers" =~ ^[1-9][0-9]*$ ]] || die "pool_start: bad worker count '$workers'"
    ensure_vardir "$vardir"
    if pool_running "$vardir"; then
        die "the FastCGI pool already runs for $vardir (pid $(pid_from_file "$vardir/run/itinera.pid"))"
    fi
    local sock="$vardir/run/itinera.sock" pidfile="$vardir/run/itinera.pid"
    rm -f "$sock" "$pidfile"
    log "Starting the FastCGI pool ($workers workers, $sock)"
    # setsid: the pool gets its own session and process group (pgid = its pid), so a Ctrl-C in the
    # terminal reaches only the script, which then stops the pool by pid. The inner shell writes its
    # own pid and execs the binary, so the pid file holds the supervisor's pid.
    (
        cd "$ITINERA_PROJECT" || exit 1
        # shellcheck disable=SC2016  # $$, $1 and $@ belong to the inner shell
        setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' itinera-pool "$pidfile" \
            "$binary" serve --listen "unix:$sock" --workers "$workers" --socket-mode "$(pool_socket_mode)" \
            </dev/null >>"$vardir/log/itinera.log" 2>&1 &
    )
    local i pid="" why="did not create $sock within 10 s"
    for ((i = 0; i < 100; i++)); do
        pid="$(pid_from_file "$pidfile" || true)"
        if [[ -n "$pid" && -S "$sock" ]]; then
            return 0
        fi
        if [[ -s "$pidfile" && -z "$pid" ]]; then
            why="exited at start-up"
            break
        fi
        sleep 0.1
    done
    log "The FastCGI pool $why; last lines of $vardir/log/itinera.log:"
    tail -n 20 "$vardir/log/itinera.log" >&2 || true
    pool_stop "$vardir" || true
    return 1
}

pool_stop() {
    local vardir pid
    vardir="$(abspath "$1")"
    pid="$(pid_from_file "$vardir/run/itinera.pid")" || {
        rm -f "$vardir/run/itinera.pid"
        return 0
    }
    log "Stopping the FastCGI pool (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_gone "$pid" 15; then
        log "The pool did not stop within 15 s; killing its process group"
        kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
        wait_gone "$pid" 5 || true
    fi
    # Workers share the supervisor's process group (setsid in pool_start): none may outlive it.
    local i
    for ((i = 0; i < 20; i++)); do
        group_alive "$pid" || break
        sleep 0.1
    done
    if group_alive "$pid"; then
        log "Killing processes left in the pool's process group $pid"
        kill -KILL -- "-$pid" 2>/dev/null || true
    fi
    rm -f "$vardir/run/itinera.pid"
}

# ---------------------------------------------------------------------------------------------------
# Outbox worker (`itinera worker`): one process, its own session, pid in VARDIR/run/worker.pid.

worker_running() {
    local vardir
    vardir="$(abspath "$1")"
    pid_from_file "$vardir/run/worker.pid" >/dev/null
}

worker_start() {
    local vardir binary="$2" pidfile
    vardir="$(abspath "$1")"
    pidfile="$vardir/run/worker.pid"
    if worker_running "$vardir"; then
        die "the outbox worker already runs for $vardir"
    fi
    rm -f "$pidfile"
    log "Starting the outbox worker"
    (
        cd "$ITINERA_PROJECT" || exit 1
        # shellcheck disable=SC2016  # $$, $1 and $@ belong to the inner shell
        setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' itinera-worker "$pidfile" "$binary" worker \
            </dev/null >>"$vardir/log/worker.log" 2>&1 &
    )
    local i
    for ((i = 0; i < 50; i++)); do
        worker_running "$vardir" && return 0
        sleep 0.1
    done
    die "the outbox worker did not start (see $vardir/log/worker.log)"
}

worker_stop() {
    local vardir pid
    vardir="$(abspath "$1")"
    pid="$(pid_from_file "$vardir/run/worker.pid")" || {
        rm -f "$vardir/run/worker.pid"
        return 0
    }
    log "Stopping the outbox worker (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_gone "$pid" 15; then
        kill -KILL "$pid" 2>/dev/null || true
        wait_gone "$pid" 5 || true
    fi
    rm -f "$vardir/run/worker.pid"
}

# ---------------------------------------------------------------------------------------------------
# make run

# The demo accounts `make run` announces. Fill in when `itinera seed` creates users.
print_demo_logins() {
    cat <<'LOGINS'
Demo logins (password itinera-demo; demo data only):
  admin@demo.test, staff@demo.test, supplier@demo.test, customer@demo.test   (team Demo Travel)
  admin@other.test                                                           (team Other Agency)
LOGINS
}
