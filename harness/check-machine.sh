# Sourced by ./demo and ./test: stops with one clear message when this machine cannot run vz's
# tests and nodes (not root, or no .NET 10 SDK on PATH). Debian 12 is what they are made for.
vz_check_machine() {
  if [[ $(id -u) != 0 ]]; then
    echo "$1: run as root (sudo $1): test nodes need network namespaces, cgroups and mounts" >&2
    exit 1
  fi
  if ! command -v dotnet >/dev/null; then
    cat >&2 <<MSG
$1: dotnet is not on PATH. vz builds with the .NET 10 SDK; install it from Microsoft's Debian
packages (https://learn.microsoft.com/dotnet/core/install/linux-debian: packages.microsoft.com,
package dotnet-sdk-10.0) or with https://dot.net/v1/dotnet-install.sh --channel 10.0, put it
on PATH, and run $1 again.
MSG
    exit 1
  fi
  local sdk
  sdk=$(dotnet --version 2>/dev/null || true)
  if ! [[ ${sdk%%.*} =~ ^[0-9]+$ ]] || ((${sdk%%.*} < 10)); then
    echo "$1: dotnet ${sdk:-(no SDK)} found; vz needs the .NET 10 SDK or newer" >&2
    exit 1
  fi
  VZ_DOTNET_SDK=$sdk
  if ! (. /etc/os-release 2>/dev/null && [[ $ID == debian && $VERSION_ID == 12 ]]); then
    echo "$1: note: made for Debian 12 (harness/install-packages.sh uses apt); some packages may be missing here" >&2
  fi
}
