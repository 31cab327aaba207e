#!/usr/bin/env bash
# Set up a server for the nightly build: the user, folders, venv, specs and schedule
# that deploy/cron/brecha.cron and deploy/systemd/brecha-build.* expect.
#
#   sudo deploy/install.sh                      # systemd timer if systemctl exists, else cron
#   sudo deploy/install.sh --scheduler cron     # or: systemd, none
#   deploy/install.sh --dry-run                 # print every step, change nothing
#   deploy/install.sh --prefix /tmp/srv        # everything under /tmp/srv (no user, no chown, no
#                                               # systemctl): the schedule files name the prefixed paths
#
# Creates: the system user "brecha" (home /var/lib/brecha, no login shell);
# /opt/brecha/.venv with brecha installed from this checkout (pinned by
# requirements.lock, no dev extras); /opt/brecha/layers (the specs the
# schedule builds; edit them there); /opt/brecha/docs; /var/lib/brecha/outputs
# and /var/log/brecha owned by brecha; /etc/cron.d/brecha or
# /etc/systemd/system/brecha-build.{service,timer}. Running it again upgrades
# brecha and keeps edited specs (a changed spec is left, the new one is
# written beside it as NAME.toml.new).
set -euo pipefail

SRC="$(cd "$(dirname "$0")/.." && pwd -P)"
PREFIX=""
DRY=0
SCHED=auto
USER_NAME=brecha
PYTHON=${PYTHON:-python3}
NO_VENV=0

usage() { sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX="${2:?--prefix needs a folder}"; shift 2 ;;
    --dry-run) DRY=1; shift ;;
    --scheduler) SCHED="${2:?--scheduler needs cron, systemd or none}"; shift 2 ;;
    --no-venv) NO_VENV=1; shift ;;  # tests: folders, specs and schedule only
    -h|--help) usage 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$SCHED" in auto|cron|systemd|none) ;; *) echo "install.sh: --scheduler must be cron, systemd or none" >&2; exit 2 ;; esac
if [ -n "$PREFIX" ]; then
  mkdir -p "$PREFIX" 2>/dev/null || [ "$DRY" = 1 ]
  PREFIX="$(cd "$PREFIX" 2>/dev/null && pwd -P || echo "$PREFIX")"
fi
if [ "$SCHED" = auto ]; then
  if [ -z "$PREFIX" ] && command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then SCHED=systemd; else SCHED=cron; fi
fi

OPT="$PREFIX/opt/brecha"; LIB="$PREFIX/var/lib/brecha"; LOG="$PREFIX/var/log/brecha"; ETC="$PREFIX/etc"
ROOTLY=0; [ -z "$PREFIX" ] && ROOTLY=1

run() {  # print the step; run it unless --dry-run
  printf '+ %s\n' "$*"
  [ "$DRY" = 1 ] || "$@"
}

if [ "$ROOTLY" = 1 ] && [ "$DRY" = 0 ] && [ "$(id -u)" != 0 ]; then
  echo "install.sh: run as root (sudo), or use --prefix DIR / --dry-run" >&2; exit 2
fi

# 1. The user the schedule runs as.
if [ "$ROOTLY" = 1 ]; then
  if id "$USER_NAME" >/dev/null 2>&1; then echo "user $USER_NAME exists"
  else run useradd --system --home-dir /var/lib/brecha --no-create-home --shell /usr/sbin/nologin "$USER_NAME"; fi
else
  echo "--prefix: no user created; the folders belong to $(id -un)"
fi

# 2. Folders: code and specs (root-owned), outputs and logs (the user's).
run install -d -m 0755 "$OPT" "$OPT/layers" "$OPT/docs" "$LIB" "$LIB/outputs" "$LOG"
if [ "$ROOTLY" = 1 ]; then run chown "$USER_NAME:$USER_NAME" "$LIB" "$LIB/outputs" "$LOG"; fi

# 3. The venv, with brecha and its run-time dependencies only.
if [ "$NO_VENV" = 0 ]; then
  [ -x "$OPT/.venv/bin/python" ] || run "$PYTHON" -m venv "$OPT/.venv"
  run "$OPT/.venv/bin/python" -m pip install -q --disable-pip-version-check -c "$SRC/requirements.lock" "$SRC"
fi

# 4. Specs (kept when edited) and the build notes the service links to.
for spec in "$SRC"/layers/*.toml; do
  dest="$OPT/layers/$(basename "$spec")"
  if [ -f "$dest" ] && ! cmp -s "$spec" "$dest"; then run install -m 0644 "$spec" "$dest.new"
  else run install -m 0644 "$spec" "$dest"; fi
done
[ -f "$SRC/docs/build.md" ] && run install -m 0644 "$SRC/docs/build.md" "$OPT/docs/build.md"

# 5. The schedule; with --prefix its paths point into the prefix.
rewrite() {  # $1 source, $2 target
  printf '+ write %s (from %s)\n' "$2" "$1"
  [ "$DRY" = 1 ] && return 0
  sed -e "s#/opt/brecha#$OPT#g" -e "s#/var/lib/brecha#$LIB#g" -e "s#/var/log/brecha#$LOG#g" "$1" > "$2"
  chmod 0644 "$2"
}
case "$SCHED" in
  cron)
    run install -d -m 0755 "$ETC/cron.d"
    rewrite "$SRC/deploy/cron/brecha.cron" "$ETC/cron.d/brecha" ;;
  systemd)
    run install -d -m 0755 "$ETC/systemd/system"
    rewrite "$SRC/deploy/systemd/brecha-build.service" "$ETC/systemd/system/brecha-build.service"
    rewrite "$SRC/deploy/systemd/brecha-build.timer" "$ETC/systemd/system/brecha-build.timer"
    if [ "$ROOTLY" = 1 ]; then
      run systemctl daemon-reload
      run systemctl enable --now brecha-build.timer
    fi ;;
  none) echo "no schedule installed (--scheduler none)" ;;
esac

echo "done: $OPT/.venv/bin/brecha build --layers-dir $OPT/layers --out $LIB/outputs"
