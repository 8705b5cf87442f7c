#!/usr/bin/env bash
# pgtest.sh runs a command against a throwaway PostgreSQL cluster:
#
#   scripts/pgtest.sh go test ./...
#
# It creates a cluster in a temporary directory (trust authentication,
# 127.0.0.1 only, the first free port from 54329), creates the role and the
# database "cognate", runs the command with COGNATE_TEST_POSTGRES set to
# their URL, then stops and removes the cluster and exits with the command's
# status. Run as root, the cluster runs as the "postgres" user (or "nobody").
# COGNATE_TEST_POSTGRES_CTL names a script that stops ("stop") or starts
# ("start") the cluster, for the tests of faults.
#
# It needs PostgreSQL's server binaries (Debian: apt-get install postgresql;
# PG_BINDIR overrides the search). Without them it runs the command as it is:
# the PostgreSQL tests then skip, or fail when CI is set.
set -euo pipefail

if [ $# -eq 0 ]; then
	echo "usage: $0 command [argument...]" >&2
	exit 2
fi

bindir=${PG_BINDIR:-}
if [ -z "$bindir" ]; then
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V); do
		if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
			bindir=$d
		fi
	done
fi
if [ -z "$bindir" ] && command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
	bindir=$(dirname "$(command -v initdb)")
fi
if [ -z "$bindir" ]; then
	echo "pgtest.sh: no PostgreSQL server binaries found; running without COGNATE_TEST_POSTGRES" >&2
	exec "$@"
fi

# As root, run the server as an unprivileged user: PostgreSQL refuses root.
as=()
base=${TMPDIR:-/tmp}
if [ "$(id -u)" = 0 ]; then
	owner=postgres
	id "$owner" >/dev/null 2>&1 || owner=nobody
	as=(runuser -u "$owner" --)
	base=/tmp # must be reachable by $owner
fi

dir=$(mktemp -d "$base/cognate-pgtest.XXXXXX")
chmod 755 "$dir"
if [ ${#as[@]} -gt 0 ]; then
	chown "$owner" "$dir"
fi

cleanup() {
	if [ -f "$dir/data/postmaster.pid" ]; then
		"${as[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
	fi
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_free() {
	! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}
port=${PGTEST_PORT:-54329}
while ! port_free "$port"; do
	port=$((port + 1))
	if [ "$port" -gt 65000 ]; then
		echo "pgtest.sh: no free port" >&2
		exit 1
	fi
done

if ! "${as[@]}" "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1; then
	cat "$dir/initdb.log" >&2
	exit 1
fi
# Durability is pointless for a cluster that lives as long as one test run.
opts="-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
if ! "${as[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start -o "$opts" >/dev/null; then
	cat "$dir/server.log" >&2
	exit 1
fi
# The fault tests stop and start the cluster with "$COGNATE_TEST_POSTGRES_CTL stop|start".
cat >"$dir/ctl" <<CTL
#!/bin/sh
exec ${as[*]} "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -m fast -o "$opts" "\$1"
CTL
chmod 755 "$dir/ctl"
export COGNATE_TEST_POSTGRES_CTL="$dir/ctl"
"$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres \
	-c "CREATE ROLE cognate LOGIN SUPERUSER" -c "CREATE DATABASE cognate OWNER cognate"

export COGNATE_TEST_POSTGRES="postgres://cognate@127.0.0.1:$port/cognate?sslmode=disable"
status=0
"$@" || status=$?
exit "$status"
