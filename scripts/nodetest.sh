#!/usr/bin/env bash
# nodetest.sh runs the Node suite (e2e/node): the real Cognito client
# libraries for JavaScript (amazon-cognito-identity-js, aws-jwt-verify,
# @aws-sdk/client-cognito-identity-provider, openid-client) against live
# Cognate servers, including openid-client's authorization code flow through
# a pool's hosted endpoints (http://<prefix>.auth.localhost:<port>).
#
#   scripts/nodetest.sh [node --test argument...]
#
# It builds cognate into a temporary directory, installs e2e/node's locked
# packages with npm ci, starts two servers on free loopback ports over
# temporary SQLite files and key files, and runs node --test in e2e/node
# with their URLs in the environment:
#
#   COGNATE_ENDPOINT                 issuers https://cognito-idp.us-east-1.amazonaws.com/<pool>
#                                    (the form aws-jwt-verify's CognitoJwtVerifier insists on)
#   COGNATE_DEFAULT_ISSUER_ENDPOINT  the default issuer, the server's own URL
#   COGNATE_BIN                      the cognate binary, for tests that start servers of their own
#                                    (triggers.test.js, with --lambda-endpoint at its Node handlers)
#   COGNATE_KMS_ENDPOINT             the KMS stand-in (internal/kmscrypt/kmstest/kmsstandin)
#
# The servers are always stopped; their logs are printed when a test fails.
# It needs Node.js 18 or later and npm (Debian: apt-get install nodejs npm);
# without them it skips with a message, or fails when CI is set.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}

missing=
for tool in node npm; do
	command -v "$tool" >/dev/null || missing="$missing $tool"
done
if [ -n "$missing" ]; then
	if [ "${CI:-}" = true ]; then
		echo "nodetest.sh: not found:$missing (Debian: apt-get install nodejs npm)" >&2
		exit 1
	fi
	echo "nodetest.sh: not found:$missing; skipping the Node suite (Debian: apt-get install nodejs npm)" >&2
	exit 0
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 18 ]; then
	echo "nodetest.sh: Node.js $(node --version) is too old; the suite needs 18 or later" >&2
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cognate-nodetest.XXXXXX")
pids=()
logs=()
cleanup() {
	local pid
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${pids[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

show_logs() {
	local log
	for log in "${logs[@]}"; do
		echo "--- $(basename "$log")" >&2
		tail -n 50 "$log" >&2
	done
}

"$GO" build -o "$tmp/cognate" ./cmd/cognate
"$GO" build -o "$tmp/kmsstandin" ./internal/kmscrypt/kmstest/kmsstandin
export COGNATE_BIN="$tmp/cognate"

# The npm cache is npm's default one, so repeated runs do not download again.
if ! (cd e2e/node && npm ci --no-audit --no-fund --loglevel=error >"$tmp/npm.log" 2>&1); then
	cat "$tmp/npm.log" >&2
	exit 1
fi

# start NAME [FLAG...] starts a server on a free port and sets $url to its URL.
start() {
	local name=$1
	shift
	local log="$tmp/$name.log"
	logs+=("$log")
	"$tmp/cognate" serve --listen 127.0.0.1:0 --db "$tmp/$name.db" --key-file "$tmp/$name.key" \
		--log-level info "$@" >"$log" 2>&1 &
	pids+=($!)
	local pid=$! addr= i
	for i in $(seq 1 300); do
		addr=$(sed -n 's/.*msg="cognate listening" addr=\([^ ]*\).*/\1/p' "$log" | head -n 1)
		if [ -n "$addr" ] && (exec 3<>"/dev/tcp/${addr%:*}/${addr##*:}") 2>/dev/null; then
			url="http://$addr"
			return 0
		fi
		if ! kill -0 "$pid" 2>/dev/null; then
			break
		fi
		sleep 0.1
	done
	echo "nodetest.sh: server $name did not start" >&2
	show_logs
	exit 1
}

# The KMS stand-in the custom sender tests encrypt and decrypt through.
"$tmp/kmsstandin" >"$tmp/kms.log" 2>&1 &
pids+=($!)
logs+=("$tmp/kms.log")
for i in $(seq 1 100); do
	COGNATE_KMS_ENDPOINT=$(sed -n 's/^listening on //p' "$tmp/kms.log")
	[ -n "$COGNATE_KMS_ENDPOINT" ] && break
	sleep 0.1
done
if [ -z "$COGNATE_KMS_ENDPOINT" ]; then
	echo "nodetest.sh: the KMS stand-in did not start" >&2
	show_logs
	exit 1
fi
export COGNATE_KMS_ENDPOINT

start aws-issuer --region us-east-1 --issuer-url https://cognito-idp.us-east-1.amazonaws.com
export COGNATE_ENDPOINT=$url
start default-issuer --region us-east-1
export COGNATE_DEFAULT_ISSUER_ENDPOINT=$url

status=0
(cd e2e/node && timeout 300 node --test --test-reporter=spec "$@") || status=$?
if [ "$status" -ne 0 ]; then
	echo "nodetest.sh: the Node suite failed (status $status); server logs follow" >&2
	show_logs
fi
exit "$status"
