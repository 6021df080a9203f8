#!/bin/sh
# Installs or removes voicebot on an Asterisk box. Called by `make install` / `make uninstall`;
# every path comes from the environment (the Makefile's variables), so it also runs by hand:
#
#   sudo DESTDIR= ASTERISK_USER=asterisk sh scripts/install.sh install
#   sudo PURGE=1 sh scripts/install.sh uninstall
#
# Never overwrites an existing voicebot.conf, prompt or dialplan sample: the new version is written
# beside it as <name>.dist. Ownership is set only when run as root and the Asterisk user exists;
# otherwise (a DESTDIR build, a test) it prints the chown commands still to run.
set -eu

ACTION=${1:-}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")

DESTDIR=${DESTDIR:-}
PREFIX=${PREFIX:-/usr/local}
ASTERISK_USER=${ASTERISK_USER:-asterisk}
ASTERISK_GROUP=${ASTERISK_GROUP:-}
AGI_BIN_DIR=${AGI_BIN_DIR:-/var/lib/asterisk/agi-bin}
CONFIG_DIR=${CONFIG_DIR:-/etc/asterisk}
DATA_DIR=${DATA_DIR:-/var/lib/voicebot}
CACHE_DIR=${CACHE_DIR:-/var/cache/voicebot}
LOG_DIR=${LOG_DIR:-/var/log/voicebot}
LOGROTATE_DIR=${LOGROTATE_DIR:-/etc/logrotate.d}
SYSTEMD_DIR=${SYSTEMD_DIR:-/etc/systemd/system}
BINARY=${BINARY:-$ROOT/dist/voicebot}
PURGE=${PURGE:-}

say() { printf '%s\n' "$*"; }
die() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }

for path in "$AGI_BIN_DIR" "$CONFIG_DIR" "$DATA_DIR" "$CACHE_DIR" "$LOG_DIR" "$PREFIX" "$LOGROTATE_DIR" "$SYSTEMD_DIR"; do
  case $path in
    /*) ;;
    *) die "paths must be absolute (got '$path'); DESTDIR is the place for a staging root" ;;
  esac
  [ "$path" != / ] || die "refusing to use / as an install folder"
done

# Ownership: only as root, and only for a user that exists on this machine.
CHOWN=no
PENDING_CHOWN=''
if [ "$(id -u)" = 0 ] && id "$ASTERISK_USER" >/dev/null 2>&1; then
  CHOWN=yes
  [ -n "$ASTERISK_GROUP" ] || ASTERISK_GROUP=$(id -gn "$ASTERISK_USER")
else
  [ -n "$ASTERISK_GROUP" ] || ASTERISK_GROUP=$ASTERISK_USER
fi

# set_owner PATH OWNER [SHOWN_PATH]: OWNER is "asterisk" (user:group), "root-group" (root:group)
# or "root".
set_owner() {
  case $2 in
    asterisk) spec="$ASTERISK_USER:$ASTERISK_GROUP" ;;
    root-group) spec="root:$ASTERISK_GROUP" ;;
    *) spec="root:root" ;;
  esac
  if [ "$CHOWN" = yes ]; then
    chown "$spec" "$1"
  elif [ "$2" != root ]; then
    PENDING_CHOWN="$PENDING_CHOWN
  chown $spec ${3:-$1}"
  fi
}

# make_dir DIR MODE OWNER: create (or tighten) a folder.
make_dir() {
  mkdir -p "$1"
  chmod "$2" "$1"
  set_owner "$1" "$3"
}

# put_file SRC DST MODE OWNER: copy, replacing atomically (a running call keeps the old file).
put_file() {
  tmp="$(dirname "$2")/.$(basename "$2").new.$$"
  cp "$1" "$tmp"
  chmod "$3" "$tmp"
  set_owner "$tmp" "$4" "$2"
  mv -f "$tmp" "$2"
}

# keep_file SRC DST MODE OWNER: like put_file, but an existing DST is the admin's: write DST.dist.
keep_file() {
  if [ -e "$2" ]; then
    put_file "$1" "$2.dist" "$3" "$4"
    say "  kept    $2 (yours; the new sample is $2.dist)"
  else
    put_file "$1" "$2" "$3" "$4"
    say "  wrote   $2"
  fi
}

# sed replacement text, escaped.
escape() { printf '%s' "$1" | sed 's/[&|\\]/\\&/g'; }

# The sample voicebot.conf with each overridden folder written as an active setting.
render_conf() {
  script=''
  add() { # KEY DEFAULT_PREFIX NEW_PREFIX
    [ "$2" = "$3" ] && return 0
    script="$script
s|^;$1 = $2|$1 = $(escape "$3")|"
  }
  add db_path /var/lib/voicebot "$DATA_DIR"
  add vosk_model_dir /var/lib/voicebot "$DATA_DIR"
  add piper_voice /var/lib/voicebot "$DATA_DIR"
  add cache_dir /var/cache/voicebot "$CACHE_DIR"
  add log_file /var/log/voicebot "$LOG_DIR"
  add agi_bin_dir /var/lib/asterisk/agi-bin "$AGI_BIN_DIR"
  sed "$script" "$ROOT/etc-asterisk/voicebot.conf" > "$1"
}

systemd_unit() {
  cat <<EOF
# voicebot serve: one process for many calls over Asterisk ARI (dialplan: Stasis(voicebot,<profile>)).
# Installed by voicebot's make install; not enabled by default: systemctl enable --now voicebot
[Unit]
Description=voicebot serve (AI phone agent over Asterisk ARI)
After=network.target asterisk.service

[Service]
Type=simple
User=$ASTERISK_USER
${ASTERISK_GROUP:+Group=$ASTERISK_GROUP
}Environment=VOICEBOT_CONFIG=$CONFIG_DIR/voicebot.conf
ExecStart=$AGI_BIN_DIR/voicebot serve
# SIGTERM hands every call back to the dialplan (VOICEBOT_STATUS=ERROR) before the process exits.
KillSignal=SIGTERM
TimeoutStopSec=20
Restart=on-failure
RestartSec=2
NoNewPrivileges=yes
PrivateTmp=yes
ProtectHome=yes
ProtectSystem=full

[Install]
WantedBy=multi-user.target
EOF
}

logrotate_snippet() {
  cat <<EOF
# voicebot call processes append to this log (installed by voicebot's make install).
$LOG_DIR/*.log {
	weekly
	rotate 8
	compress
	delaycompress
	missingok
	notifempty
	su $ASTERISK_USER $ASTERISK_GROUP
	create 0640 $ASTERISK_USER $ASTERISK_GROUP
}
EOF
}

do_install() {
  [ -f "$BINARY" ] || die "$BINARY does not exist: run \`make build\` first (or \`make install\`, which builds)"
  D=$DESTDIR
  stage=$(mktemp -d)
  trap 'rm -rf "$stage"' EXIT
  say "Installing voicebot${D:+ into $D}"

  [ -d "$D$AGI_BIN_DIR" ] || make_dir "$D$AGI_BIN_DIR" 0755 root
  put_file "$BINARY" "$D$AGI_BIN_DIR/voicebot" 0755 root
  say "  wrote   $D$AGI_BIN_DIR/voicebot"
  mkdir -p "$D$PREFIX/bin"
  ln -sfn "$AGI_BIN_DIR/voicebot" "$D$PREFIX/bin/voicebot"
  say "  linked  $D$PREFIX/bin/voicebot -> $AGI_BIN_DIR/voicebot"

  [ -d "$D$CONFIG_DIR" ] || make_dir "$D$CONFIG_DIR" 0755 root
  render_conf "$stage/voicebot.conf"
  keep_file "$stage/voicebot.conf" "$D$CONFIG_DIR/voicebot.conf" 0640 root-group
  [ -d "$D$CONFIG_DIR/voicebot-prompts" ] || make_dir "$D$CONFIG_DIR/voicebot-prompts" 0750 root-group
  for prompt in "$ROOT"/etc-asterisk/voicebot-prompts/*.txt; do
    keep_file "$prompt" "$D$CONFIG_DIR/voicebot-prompts/$(basename "$prompt")" 0640 root-group
  done
  keep_file "$ROOT/etc-asterisk/extensions.conf" "$D$CONFIG_DIR/extensions-voicebot.conf" 0640 root-group

  make_dir "$D$DATA_DIR" 0750 asterisk
  make_dir "$D$DATA_DIR/models" 0750 root-group
  put_file "$ROOT/models/README.md" "$D$DATA_DIR/models/README.md" 0644 root
  make_dir "$D$CACHE_DIR" 0700 asterisk
  make_dir "$D$LOG_DIR" 0750 asterisk
  say "  folders $D$DATA_DIR (0750), $D$DATA_DIR/models (0750), $D$CACHE_DIR (0700), $D$LOG_DIR (0750)"

  mkdir -p "$D$LOGROTATE_DIR"
  logrotate_snippet > "$stage/logrotate"
  put_file "$stage/logrotate" "$D$LOGROTATE_DIR/voicebot" 0644 root
  say "  wrote   $D$LOGROTATE_DIR/voicebot"

  mkdir -p "$D$SYSTEMD_DIR"
  systemd_unit > "$stage/voicebot.service"
  put_file "$stage/voicebot.service" "$D$SYSTEMD_DIR/voicebot.service" 0644 root
  say "  wrote   $D$SYSTEMD_DIR/voicebot.service (voicebot serve, for Stasis(); not enabled)"

  share="$D$PREFIX/share/voicebot"
  mkdir -p "$share"
  put_file "$ROOT/scripts/fetch-models" "$share/fetch-models" 0755 root
  put_file "$ROOT/etc-asterisk/voicebot.conf" "$share/voicebot.conf.sample" 0644 root
  put_file "$ROOT/etc-asterisk/extensions.conf" "$share/extensions.conf.sample" 0644 root
  put_file "$ROOT/README.md" "$share/README.md" 0644 root

  if [ "$CHOWN" = no ]; then
    if [ "$(id -u)" != 0 ]; then why="not running as root"; else why="user '$ASTERISK_USER' does not exist here"; fi
    say "note: ownership NOT set ($why). On the real box, as root:$PENDING_CHOWN"
  fi
  say "Next steps:"
  say "  1. models:  $PREFIX/share/voicebot/fetch-models --dest $DATA_DIR/models   (or by hand: $DATA_DIR/models/README.md)"
  say "  2. ollama:  ollama pull <ollama_model from $CONFIG_DIR/voicebot.conf>"
  say "  3. dialplan: add '#include extensions-voicebot.conf' to $CONFIG_DIR/extensions.conf, then 'dialplan reload'"
  say "  4. check:   sudo -u $ASTERISK_USER voicebot doctor   (and: voicebot doctor --user $ASTERISK_USER as root)"
  say "  ARI instead of EAGI (one process for all calls): README 'voicebot serve', then: systemctl enable --now voicebot"
}

# remove PATH: rm -rf with a guard against empty and top-level paths.
remove() {
  case ${1#"$DESTDIR"} in
    ''|/|/etc|/usr|/var|/var/lib|/var/log|/var/cache|/usr/local) die "refusing to remove '$1'" ;;
  esac
  if [ -e "$1" ] || [ -L "$1" ]; then rm -rf "$1"; say "  removed $1"; fi
}

do_uninstall() {
  D=$DESTDIR
  say "Removing voicebot${D:+ from $D}"
  remove "$D$AGI_BIN_DIR/voicebot"
  if [ -L "$D$PREFIX/bin/voicebot" ]; then remove "$D$PREFIX/bin/voicebot"; fi
  remove "$D$LOGROTATE_DIR/voicebot"
  remove "$D$SYSTEMD_DIR/voicebot.service"
  remove "$D$PREFIX/share/voicebot"
  if [ "$PURGE" = 1 ]; then
    for file in voicebot.conf voicebot.conf.dist extensions-voicebot.conf extensions-voicebot.conf.dist voicebot-prompts; do
      remove "$D$CONFIG_DIR/$file"
    done
    remove "$D$DATA_DIR"
    remove "$D$CACHE_DIR"
    remove "$D$LOG_DIR"
  else
    say "kept (PURGE=1 removes them): $D$CONFIG_DIR/voicebot.conf, $D$CONFIG_DIR/voicebot-prompts, $D$CONFIG_DIR/extensions-voicebot.conf,"
    say "  $D$DATA_DIR (call log and models), $D$CACHE_DIR, $D$LOG_DIR"
  fi
}

case $ACTION in
  install) do_install ;;
  uninstall) do_uninstall ;;
  *) die "usage: install.sh install|uninstall (settings come from the environment; see the Makefile)" ;;
esac
