#!/usr/bin/env bash
# Install missedcall-box as a systemd service on a Raspberry Pi (run as root, from a checkout):
#   - copies the checkout to /opt/missedcall and builds it there
#   - creates the system user "missedcall" (in group dialout for the serial ports)
#   - writes /etc/missedcall/config.yaml from the example if there is none (edit it!)
#   - keeps the database in /var/lib/missedcall
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "install-service.sh: run as root (sudo)" >&2; exit 1; }

scripts/setup.sh
id missedcall >/dev/null 2>&1 || useradd --system --home /var/lib/missedcall --shell /usr/sbin/nologin --groups dialout missedcall
install -d -o missedcall -g missedcall -m 0750 /var/lib/missedcall
install -d -m 0755 /etc/missedcall
# The checkout was just built on this machine (setup.sh), so its node_modules fit it.
cp -a --no-preserve=ownership . /opt/missedcall.new
rm -rf /opt/missedcall.new/.git /opt/missedcall.new/data
rm -rf /opt/missedcall && mv /opt/missedcall.new /opt/missedcall
if [ ! -f /etc/missedcall/config.yaml ]; then
  node dist/cli.js example-config | sed 's#^database: .*#database: /var/lib/missedcall/missedcall.db#' > /etc/missedcall/config.yaml
  chmod 0640 /etc/missedcall/config.yaml
  chgrp missedcall /etc/missedcall/config.yaml
  echo "==> wrote /etc/missedcall/config.yaml: set box.id and the modem ports, then: systemctl restart missedcall"
fi
install -m 0644 systemd/missedcall.service /etc/systemd/system/missedcall.service
systemctl daemon-reload
systemctl enable --now missedcall
systemctl --no-pager status missedcall || true
