# voicebot: build, test and install. Node 24 comes from node_modules (package.json pins it);
# `npm run` puts node_modules/.bin first on PATH, so every target goes through npm.
NPM ?= npm
DESTDIR ?=
PREFIX ?= /usr/local
ASTERISK_USER ?= asterisk
# empty: the Asterisk user's primary group
ASTERISK_GROUP ?=
AGI_BIN_DIR ?= /var/lib/asterisk/agi-bin
CONFIG_DIR ?= /etc/asterisk
DATA_DIR ?= /var/lib/voicebot
CACHE_DIR ?= /var/cache/voicebot
LOG_DIR ?= /var/log/voicebot
LOGROTATE_DIR ?= /etc/logrotate.d
SYSTEMD_DIR ?= /etc/systemd/system
BINARY ?= dist/voicebot
PURGE ?=

.PHONY: all setup build test typecheck bench demo clean

all: build

node_modules/.package-lock.json: package.json package-lock.json
	$(NPM) ci

## setup: install the pinned Node 24 and the npm packages (no install scripts, nothing downloaded at run time)
setup: node_modules/.package-lock.json

## build: dist/voicebot, one executable with every native library inside
build: setup
	$(NPM) run build

## test: typecheck and the whole test suite
test: setup
	$(NPM) test

typecheck: setup
	$(NPM) run typecheck

## demo: one whole simulated call (real models when present, test engines otherwise)
demo: setup
	$(NPM) run demo

## bench: every benchmark in bench/ (numbers for the README)
bench: build
	$(NPM) run bench

clean:
	rm -rf dist out

INSTALL_ENV = DESTDIR="$(DESTDIR)" PREFIX="$(PREFIX)" ASTERISK_USER="$(ASTERISK_USER)" ASTERISK_GROUP="$(ASTERISK_GROUP)" \
	AGI_BIN_DIR="$(AGI_BIN_DIR)" CONFIG_DIR="$(CONFIG_DIR)" DATA_DIR="$(DATA_DIR)" CACHE_DIR="$(CACHE_DIR)" \
	LOG_DIR="$(LOG_DIR)" LOGROTATE_DIR="$(LOGROTATE_DIR)" SYSTEMD_DIR="$(SYSTEMD_DIR)" BINARY="$(abspath $(BINARY))" PURGE="$(PURGE)"

.PHONY: install install-only uninstall

## install (as root): build, then install-only
install: build
	$(INSTALL_ENV) sh scripts/install.sh install

## install-only: install an already built $(BINARY): the binary into agi-bin, voicebot.conf, prompts and the
## dialplan sample into CONFIG_DIR (existing files are kept, new ones written as .dist), data/cache/log
## folders for ASTERISK_USER, a logrotate snippet, the systemd unit of `voicebot serve` (not enabled). DESTDIR stages into a folder (no chown unless root).
install-only:
	$(INSTALL_ENV) sh scripts/install.sh install

## uninstall: remove the binary, link, logrotate snippet and shared files; PURGE=1 also removes the
## config, the call log, models, cache and logs
uninstall:
	$(INSTALL_ENV) sh scripts/install.sh uninstall
