#!/usr/bin/env bash
# Installs the Debian packages the test suite drives for real (browser, X
# server, VNC, SSH, NSS tools, full-screen terminal programs) when any is
# missing. Safe to run again: it does
# nothing when everything is present. Needs root or sudo for apt-get.
set -euo pipefail

# command that proves the package is there -> Debian package
declare -A NEED=(
  [/usr/lib/chromium/chromium]=chromium
  [/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf]=fonts-liberation
  [/usr/bin/certutil]=libnss3-tools
  [/usr/bin/Xvfb]=xvfb
  [/usr/bin/xterm]=xterm
  [/usr/bin/xdotool]=xdotool
  [/usr/bin/xclip]=xclip
  [/usr/bin/xdpyinfo]=x11-utils
  [/usr/bin/xsetroot]=x11-xserver-utils
  [/usr/bin/xwd]=x11-apps
  [/usr/bin/xauth]=xauth
  [/usr/bin/x11vnc]=x11vnc
  # Remote VNC's clipboard test: TigerVNC's X server keeps RFB cut text and the X selections in step.
  [/usr/bin/Xtigervnc]=tigervnc-standalone-server
  [/usr/sbin/sshd]=openssh-server
  # The Shell Jump tests make host and client keys and read fingerprints.
  [/usr/bin/ssh-keygen]=openssh-client
  # The command-shell tests draw full-screen programs in a real pty.
  [/usr/bin/top]=procps
  [/usr/bin/vi]=vim-tiny
  [/usr/bin/tput]=ncurses-bin
)

# The Shell Jump tests log in to their own sshd (on 127.0.0.1, its own config)
# as these dedicated users, one per test file that sets a password (so files
# running at the same time do not change each other's). They are unlocked
# ('*': no password works until a test sets a random one for its run, and
# resets it after), because sshd refuses even key logins for a locked account.
SSH_TEST_USERS="relaydesk-ssh-test relaydesk-ssh-ui"
ensure_ssh_user() {
  [ "$(id -u)" -eq 0 ] || return 0
  for u in $SSH_TEST_USERS; do
    id "$u" >/dev/null 2>&1 || useradd -m -s /bin/bash "$u"
    usermod -p '*' "$u"
  done
}

missing=()
for path in "${!NEED[@]}"; do
  [ -e "$path" ] || missing+=("${NEED[$path]}")
done
if [ ${#missing[@]} -eq 0 ]; then
  ensure_ssh_user
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-deps: need root (or sudo) to apt-get install: ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
ensure_ssh_user
echo "install-deps: done" >&2
