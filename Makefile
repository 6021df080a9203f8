# voicebot: build, test and install. Node 24 comes from node_modules (package.json pins it);
# `npm run` puts node_modules/.bin first on PATH, so every target goes through npm.
NPM ?= npm
DESTDIR ?=
PREFIX ?= /usr/local
ASTERISK_USER ?= asterisk
ASTERISK_GROUP ?= $(ASTERISK_USER)
AGI_BIN_DIR ?= /var/lib/asterisk/agi-bin
CONFIG_DIR ?= /etc/asterisk
DATA_DIR ?= /var/lib/voicebot
CACHE_DIR ?= /var/cache/voicebot
LOG_DIR ?= /var/log/voicebot

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
