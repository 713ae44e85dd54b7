#!/usr/bin/env bash
# Installs or upgrades RelayDesk as a systemd service on this host (F35).
#
#   sudo scripts/install-service.sh [--names appliance.example.com] [--port 443]
#
# First install: builds, puts the appliance into PREFIX (production npm
# dependencies only), creates the system user and the data folder (0700),
# writes /etc/systemd/system/relaydesk.service (hardened: no new privileges,
# read-only system, writable data folder only, may bind port 443) and starts
# it at once and on every boot. The first start makes the CA, the server
# certificate and the administrator; its password is in the journal
# (`journalctl -u relaydesk | grep -i password`) unless RELAYDESK_ADMIN_PASSWORD
# was set in the unit.
#
# Upgrade (PREFIX exists): the same command. It takes an online backup of the
# data folder first (DATA-backups/), installs the new version beside the old,
# stops the service, swaps them (the old one stays as PREFIX.previous for a
# rollback), and starts it; data migrations run on start. Data is never
# touched by the installer.
#
# Options: --prefix DIR (/opt/relaydesk), --data DIR (/var/lib/relaydesk),
# --user NAME (relaydesk), --host ADDR (0.0.0.0), --port N (443),
# --names LIST (this host's name), --no-start, --root DIR (stage everything
# under DIR without creating users or touching systemd: for packaging and
# tests), --node-modules-from DIR (use that folder's node_modules instead of
# downloading: offline installs and tests), --no-build (install dist/ as it
# is; it is built anyway when missing).
set -euo pipefail

PREFIX=/opt/relaydesk
DATA=/var/lib/relaydesk
SVC_USER=relaydesk
HOST=0.0.0.0
PORT=443
NAMES="$(hostname -f 2>/dev/null || hostname)"
ROOT=""
START=1
MODULES_FROM=""
BUILD=1

die() { echo "install-service: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX="$2"; shift 2 ;;
    --data) DATA="$2"; shift 2 ;;
    --user) SVC_USER="$2"; shift 2 ;;
    --host) HOST="$2"; shift 2 ;;
    --port) PORT="$2"; shift 2 ;;
    --names) NAMES="$2"; shift 2 ;;
    --root) ROOT="$(cd "$2" && pwd)"; shift 2 ;;
    --no-start) START=0; shift ;;
    --no-build) BUILD=0; shift ;;
    --node-modules-from) MODULES_FROM="$(cd "$2" && pwd)"; shift 2 ;;
    -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
case "$PREFIX$DATA" in *" "*) die "paths with spaces are not supported" ;; esac
[[ "$PREFIX" = /* && "$DATA" = /* ]] || die "--prefix and --data must be absolute"
[[ "$PORT" =~ ^[0-9]+$ ]] || die "--port must be a number"
[[ "$SVC_USER" =~ ^[a-z_][a-z0-9_-]*$ ]] || die "--user is not a valid user name"
if [ -z "$ROOT" ] && [ "$(id -u)" -ne 0 ]; then die "run as root (or use --root DIR to stage)"; fi
NODE="$(command -v node)" || die "node (20 or newer) is required"
"$NODE" -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' || die "node 20 or newer is required"

REPO="$(cd "$(dirname "$0")/.." && pwd)"
TARGET="$ROOT$PREFIX"
STAGE="$TARGET.new"
DATA_DIR="$ROOT$DATA"
UNIT="$ROOT/etc/systemd/system/relaydesk.service"

if [ "$BUILD" = 1 ] || [ ! -f "$REPO/dist/appliance/main.mjs" ]; then
  echo "Building…"
  ( cd "$REPO" && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && node scripts/build.mjs >/dev/null )
fi

echo "Staging into $STAGE…"
rm -rf "$STAGE"
mkdir -p "$STAGE"
cp -a "$REPO/dist" "$REPO/package.json" "$REPO/package-lock.json" "$STAGE/"
[ -f "$REPO/.npmrc" ] && cp "$REPO/.npmrc" "$STAGE/"
if [ -n "$MODULES_FROM" ]; then
  # Hard links when possible: the installed modules are never written to.
  cp -al "$MODULES_FROM/node_modules" "$STAGE/node_modules" 2>/dev/null || cp -a "$MODULES_FROM/node_modules" "$STAGE/node_modules"
else
  ( cd "$STAGE" && npm ci --omit=dev --no-audit --no-fund )
fi
# The new version must at least load (native uWebSockets.js and LMDB included) before it replaces anything.
"$NODE" "$STAGE/dist/appliance/main.mjs" --help >/dev/null || die "the staged appliance does not start; nothing was changed"

if [ -d "$TARGET" ] && [ -d "$DATA_DIR/db" ]; then
  BACKUP="$DATA_DIR-backups/before-upgrade-$(date -u +%Y%m%dT%H%M%SZ)"
  echo "Backing up $DATA_DIR to $BACKUP…"
  mkdir -p "$(dirname "$BACKUP")"
  "$NODE" "$TARGET/dist/tools/backup.mjs" --data "$DATA_DIR" --out "$BACKUP" 2>/dev/null || "$NODE" "$STAGE/dist/tools/backup.mjs" --data "$DATA_DIR" --out "$BACKUP"
fi

if [ -z "$ROOT" ]; then
  id -u "$SVC_USER" >/dev/null 2>&1 || useradd --system --home-dir "$DATA" --no-create-home --shell /usr/sbin/nologin "$SVC_USER"
fi
mkdir -p "$DATA_DIR"
chmod 700 "$DATA_DIR"
[ -z "$ROOT" ] && chown -R "$SVC_USER:" "$DATA_DIR"

[ -z "$ROOT" ] && systemctl stop relaydesk 2>/dev/null || true
rm -rf "$TARGET.previous"
[ -d "$TARGET" ] && mv "$TARGET" "$TARGET.previous"
mv "$STAGE" "$TARGET"

mkdir -p "$(dirname "$UNIT")"
cat > "$UNIT" <<UNIT
[Unit]
Description=RelayDesk remote-support appliance
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
User=$SVC_USER
Group=$SVC_USER
WorkingDirectory=$PREFIX
Environment=NODE_ENV=production
Environment=RELAYDESK_DATA=$DATA
Environment=RELAYDESK_HOST=$HOST
Environment=RELAYDESK_PORT=$PORT
Environment=RELAYDESK_NAMES=$NAMES
ExecStart=$NODE --enable-source-maps $PREFIX/dist/appliance/main.mjs
Restart=always
RestartSec=2
AmbientCapabilities=CAP_NET_BIND_SERVICE
CapabilityBoundingSet=CAP_NET_BIND_SERVICE
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
ReadWritePaths=$DATA
UMask=0077

[Install]
WantedBy=multi-user.target
UNIT

if [ -z "$ROOT" ] && [ "$START" = 1 ]; then
  systemctl daemon-reload
  systemctl enable --now relaydesk
  echo "RelayDesk runs as the relaydesk service on https://$NAMES:$PORT/ (journalctl -u relaydesk)."
else
  echo "Installed into $TARGET with data in $DATA_DIR; unit $UNIT (not started)."
fi
