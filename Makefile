# swift-sshd — the two commands of the README, and a few more.
#   make run    build and start the server on 127.0.0.1:2222
#   make test   build and run every test
SHELL := /bin/bash
SWIFT ?= swift
DEBIAN_PACKAGES := libssl-dev zlib1g-dev libpam0g-dev pkg-config openssh-client iproute2 libcrypt-dev openssl fail2ban
PORT ?= 2222
STATE ?= state

.PHONY: deps build test run bench clean

# Installs the Debian packages the build and tests need, when any is missing.
deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

	@# asyncssh, from PyPI, exercises the SFTP extensions OpenSSH's client does not use.
	@python3 -c 'import asyncssh' 2>/dev/null || python3 -m pip install --quiet --disable-pip-version-check asyncssh

build: deps
	$(SWIFT) build --build-tests

test: build
	$(SWIFT) test --skip-build

run: deps
	$(SWIFT) build -c release --product ssh-demo-server
	$$($(SWIFT) build -c release --show-bin-path)/ssh-demo-server --state $(STATE) --port $(PORT)

bench: deps
	$(SWIFT) build -c release --product PacketBenchmark
	$$($(SWIFT) build -c release --show-bin-path)/PacketBenchmark

clean:
	rm -rf .build
