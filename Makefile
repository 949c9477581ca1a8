# swift-sshd — the two commands of the README, and a few more.
#   make run    build and start swift-sshd on 127.0.0.1:2222 with a demo account
#   make test   build and run every test
SHELL := /bin/bash
SWIFT ?= swift
DEBIAN_PACKAGES := libssl-dev zlib1g-dev libpam0g-dev pkg-config openssh-client iproute2 libcrypt-dev openssl fail2ban \
  python3 mandoc systemd
PORT ?= 2222
STATE ?= state
# make install: where the files go (DESTDIR stages them elsewhere).
PREFIX ?= /usr/local
UNITDIR ?= /lib/systemd/system
DESTDIR ?=

.PHONY: deps build test run bench clean install install-files man

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
	$(SWIFT) build -c release --product swift-sshd
	$$($(SWIFT) build -c release --show-bin-path)/swift-sshd demo --state $(STATE) --port $(PORT)

# swift-sshd against OpenSSH's sshd in one run (docs/BENCHMARKS.md): needs root; installs
# openssh-server when missing. BENCH_ARGS=--quick for a short smoke run.
bench: deps
	@command -v /usr/sbin/sshd >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq openssh-server; }
	$(SWIFT) build -c release --product swift-sshd
	$(SWIFT) build -c release --product PacketBenchmark
	$(SWIFT) build -c release --product LoginBenchmark
	$$($(SWIFT) build -c release --show-bin-path)/PacketBenchmark
	python3 bench/bench.py --binary "$$($(SWIFT) build -c release --show-bin-path)/swift-sshd" \
	  --login-client "$$($(SWIFT) build -c release --show-bin-path)/LoginBenchmark" $(BENCH_ARGS)

# Builds the release binary and installs it with the configuration (an existing one is kept),
# the PAM file, the systemd units and the manual pages. swift-sshd(8), INSTALLING.
install: deps
	$(SWIFT) build -c release --product swift-sshd
	$(MAKE) install-files BINARY="$$($(SWIFT) build -c release --show-bin-path)/swift-sshd"

# The copying part of install, for a binary built already (BINARY=path).
install-files:
	@test -n "$(BINARY)" || { echo "install-files: set BINARY=path/to/swift-sshd"; exit 1; }
	install -D -m 0755 "$(BINARY)" "$(DESTDIR)$(PREFIX)/sbin/swift-sshd"
	install -d -m 0755 "$(DESTDIR)/etc/swift-sshd"
	test -e "$(DESTDIR)/etc/swift-sshd/swift-sshd.conf" || install -m 0644 config/swift-sshd.conf "$(DESTDIR)/etc/swift-sshd/swift-sshd.conf"
	test -e "$(DESTDIR)/etc/pam.d/swift-sshd" || install -D -m 0644 config/pam.d/swift-sshd "$(DESTDIR)/etc/pam.d/swift-sshd"
	for unit in swift-sshd.service swift-sshd-users.service; do \
	  install -d -m 0755 "$(DESTDIR)$(UNITDIR)"; \
	  sed 's|/usr/local/sbin/|$(PREFIX)/sbin/|g' systemd/$$unit > "$(DESTDIR)$(UNITDIR)/$$unit"; \
	  chmod 0644 "$(DESTDIR)$(UNITDIR)/$$unit"; \
	done
	install -D -m 0644 man/swift-sshd.8 "$(DESTDIR)$(PREFIX)/share/man/man8/swift-sshd.8"
	install -D -m 0644 man/swift-sshd.conf.5 "$(DESTDIR)$(PREFIX)/share/man/man5/swift-sshd.conf.5"
	@# The unprivileged system user users-file sessions run as (VirtualUser's default under root).
	if [ -z "$(DESTDIR)" ] && ! getent passwd swift-sshd >/dev/null; then \
	  useradd --system --home-dir /var/lib/swift-sshd --no-create-home --shell /usr/sbin/nologin swift-sshd; \
	fi
	if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi

# Regenerates swift-sshd.conf(5) from config/swift-sshd.conf.
man:
	python3 man/make-conf5.py

clean:
	rm -rf .build
