#!/usr/bin/env bash
# Installs the system packages vz's tests drive for real (see ../shared/ENVIRONMENT.md).
# Idempotent; needs root and Debian 12.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
pkgs=(strace xdelta3 podman runc catatonit uidmap skopeo umoci openssh-server openssh-client
      ansible ansible-lint debootstrap busybox-static libhttp-date-perl perl python3 hyperfine zstd xz-utils
      iproute2 gcc libc6-dev clang lld
      e2fsprogs util-linux bc
      zsh  # the zsh completion script is tested in a real zsh (tests/Integration.Tests/Cli)
      apt-utils sshpass  # apt-ftparchive indexes the nodes' package source; sshpass logs in to fresh nodes
      make curl)  # ./demo and examples/: the app's Makefile, asking the deployed app
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "system packages present: ${#pkgs[@]} (${#missing[@]} installed now)"
