#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the VM tier's guest: a Debian 12 root filesystem (ext4 image, made without mounting anything),
# Debian's 6.1 kernel and a tiny busybox initrd. Called by tests/vm/run as
#
#   tests/vm/image.sh OUTDIR KERNEL_PACKAGE
#
# and writes OUTDIR/{rootfs.img,vmlinuz,initrd.img,kver}. The cache key is a hash of this file and the
# kernel package's version, so changing the package list below rebuilds the image.
set -euo pipefail

out=$1
kpkg=$2

# Everything the agent and the cases need inside the guest.
GUEST_PACKAGES=(
	systemd systemd-sysv udev kmod
	apparmor
	libbpf1 libjansson4 libyaml-0-2 libseccomp2 libsystemd0 bpftool
	iputils-ping procps iproute2 netcat-openbsd jq
)

# Modules the initrd loads (dependencies are resolved from modules.dep; soft dependencies such as
# ext4 on crc32c are listed by hand).
INITRD_MODULES=(virtio_pci virtio_blk crc32c_generic ext4 9pnet_virtio 9p)

# Module directories dropped from the guest (hardware a QEMU guest never has); keeps the image small.
PRUNE_MODULES=(
	sound drivers/gpu drivers/media drivers/scsi drivers/infiniband drivers/usb drivers/iio drivers/hwmon
	drivers/staging drivers/hid drivers/input drivers/comedi drivers/mtd drivers/video drivers/target
	drivers/isdn drivers/bluetooth drivers/mmc drivers/thunderbolt drivers/ata drivers/platform drivers/i2c
	drivers/watchdog drivers/net/wireless drivers/net/ethernet drivers/net/usb drivers/net/can
	net/mac80211 net/wireless net/bluetooth arch/x86/kvm
)

step() { printf 'vm-image: [%3ds] %s\n' "$SECONDS" "$*" >&2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kavm-image.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
mkdir -p "$root" "$out"

# Debian mirrors as the host's apt knows them (only Debian entries; other vendors' lists are left out).
mirrors=()
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
	[ -f "$f" ] || continue
	grep -Eq '^[[:space:]]*(deb|URIs:).*debian' "$f" || continue
	mirrors+=("$f")
done
[ ${#mirrors[@]} -gt 0 ] || mirrors=(http://deb.debian.org/debian)

step "mmdebstrap bookworm (${#GUEST_PACKAGES[@]} extra packages)"
include=$(
	IFS=,
	echo "${GUEST_PACKAGES[*]}"
)
mode=unshare
unshare --user --map-root-user true 2>/dev/null || mode=root
# No fsync while unpacking: the image is rebuilt from scratch on any failure.
fast=(--dpkgopt=force-unsafe-io)
[ ! -d /usr/share/mmdebstrap/hooks/eatmydata ] || fast+=(--hook-dir=/usr/share/mmdebstrap/hooks/eatmydata)
args=(--quiet --mode="$mode" --variant=minbase --include="$include" "${fast[@]}"
	--dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*'
	--dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/locale/*'
	--dpkgopt='path-exclude=/usr/share/info/*' bookworm -)
# The bootstrap tarball is kept beside the images, keyed by the mmdebstrap command and the sources: a
# change elsewhere in this script does not download and unpack everything again.
tkey=$( (
	printf '%s\n' "${args[@]}"
	cat "${mirrors[@]}" 2>/dev/null || printf '%s\n' "${mirrors[@]}"
) | sha256sum | cut -c1-16)
tarball=$(dirname "$out")/rootfs-$tkey.tar
if [ ! -f "$tarball" ]; then
	mmdebstrap "${args[@]}" "${mirrors[@]}" >"$tarball.$$"
	mv "$tarball.$$" "$tarball"
fi
touch "$tarball"
# Tarballs nobody used for a day are stale.
find "$(dirname "$out")" -maxdepth 1 -name 'rootfs-*.tar*' -mmin +1440 -delete
tar -C "$root" -xpf "$tarball"

step "kernel $kpkg"
(cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "$kpkg" >/dev/null)
dpkg-deb -x "$tmp"/"$kpkg"_*.deb "$tmp/k"
kver=$(ls "$tmp/k/lib/modules")
cp "$tmp/k/boot/vmlinuz-$kver" "$out/vmlinuz"
for d in "${PRUNE_MODULES[@]}"; do rm -rf "$tmp/k/lib/modules/$kver/kernel/$d"; done
mkdir -p "$root/lib/modules"
mv "$tmp/k/lib/modules/$kver" "$root/lib/modules/"
cp "$tmp/k/boot/config-$kver" "$root/boot/"
depmod -b "$root" "$kver"

step "configuring the guest"
echo kavm >"$root/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 kavm\n' >"$root/etc/hosts"
# The initrd mounts the root read-write; an fstab entry would only make boot wait for dev-vda.device.
echo '# root is mounted by the initrd' >"$root/etc/fstab"
# A fixed machine id: no first-boot logic, no prompts on the console.
od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$root/etc/machine-id"
echo >>"$root/etc/machine-id"
mkdir -p "$root/etc/systemd/journald.conf.d" "$root/etc/systemd/system.conf.d"
printf '[Journal]\nStorage=volatile\nRateLimitIntervalSec=0\nForwardToConsole=no\n' \
	>"$root/etc/systemd/journald.conf.d/kavm.conf"
printf '[Manager]\nDefaultTimeoutStartSec=60s\nDefaultTimeoutStopSec=10s\n' \
	>"$root/etc/systemd/system.conf.d/kavm.conf"

# The boot hook: mounts the host's 9p share and runs the payload's guest runner (which can change without
# rebuilding the image). Exit codes reach the host through isa-debug-exit (port 0xf4).
cat >"$root/usr/local/sbin/kavm-boot" <<'EOF'
#!/bin/sh
guest_exit() {
	printf "\\$(printf '%03o' "$1")" | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
	systemctl poweroff --force --force
}
mkdir -p /mnt/host
modprobe -a 9pnet_virtio 9p
if ! mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 host0 /mnt/host; then
	echo "kavm-boot: cannot mount the host share"
	guest_exit 2
fi
if [ ! -r /mnt/host/payload/guest-runner.sh ]; then
	echo "kavm-boot: no guest runner in the share"
	guest_exit 2
fi
exec /bin/bash /mnt/host/payload/guest-runner.sh
EOF
chmod 755 "$root/usr/local/sbin/kavm-boot"
cat >"$root/etc/systemd/system/kavm.service" <<'EOF'
[Unit]
Description=VM test tier runner
After=multi-user.target

[Service]
Type=simple
ExecStart=/usr/local/sbin/kavm-boot
StandardOutput=journal+console
StandardError=journal+console

[Install]
WantedBy=multi-user.target
EOF
systemctl --root="$root" enable kavm.service >/dev/null 2>&1
systemctl --root="$root" set-default multi-user.target >/dev/null 2>&1
# Nothing on the serial line but our output, nothing periodic during tests, and a short boot under TCG:
# no logins (no dbus, no logind), no module loads for hardware the guest lacks, no stock AppArmor
# profiles to compile (the cases load their own).
systemctl --root="$root" mask getty@tty1.service serial-getty@ttyS0.service getty-static.service \
	systemd-firstboot.service apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer e2scrub_all.timer \
	e2scrub_reap.service fstrim.timer systemd-pstore.service systemd-logind.service modprobe@drm.service \
	modprobe@fuse.service modprobe@dm_mod.service modprobe@loop.service >/dev/null 2>&1
rm -f "$root/etc/apparmor.d/lsb_release" "$root/etc/apparmor.d/nvidia_modprobe"

step "initrd"
ird=$tmp/initrd
mkdir -p "$ird/bin" "$ird/dev" "$ird/proc" "$ird/sys" "$ird/newroot" "$ird/lib/modules"
cp /bin/busybox "$ird/bin/busybox"
mdir=$root/lib/modules/$kver
# Resolve dependencies: each module's deps first, each module once.
declare -A seen=()
order=()
add_module() {
	local name=$1 line path dep
	line=$(grep -E "(^|/)${name}\.ko(\.[a-z]+)?:" "$mdir/modules.dep" | head -n 1) || true
	if [ -z "$line" ]; then
		grep -Eq "(^|/)${name}\.ko" "$mdir/modules.builtin" || {
			echo "vm-image: module $name not found" >&2
			exit 1
		}
		return
	fi
	path=${line%%:*}
	[ -z "${seen[$path]:-}" ] || return 0
	seen[$path]=1
	for dep in ${line#*:}; do
		dep=${dep##*/}
		add_module "${dep%%.ko*}"
	done
	order+=("$path")
}
for m in "${INITRD_MODULES[@]}"; do add_module "$m"; done
: >"$ird/modules"
for p in "${order[@]}"; do
	cp "$mdir/$p" "$ird/lib/modules/"
	echo "${p##*/}" >>"$ird/modules"
done
cat >"$ird/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
die() {
	echo "initrd: $*"
	printf '\020' | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
	poweroff -f
}
while read -r m; do
	insmod "/lib/modules/$m" || echo "initrd: insmod $m failed"
done </modules
i=0
while [ ! -b /dev/vda ]; do
	i=$((i + 1))
	[ $i -lt 300 ] || die "no /dev/vda"
	sleep 0.1
done
mount -t ext4 -o rw /dev/vda /newroot || die "cannot mount /dev/vda"
umount /proc /sys
mount -o move /dev /newroot/dev
exec switch_root /newroot /sbin/init
EOF
chmod 755 "$ird/init"
(cd "$ird" && find . | cpio -o -H newc --quiet | gzip -1) >"$out/initrd.img"

step "ext4 image"
mkfs.ext4 -q -F -L kavm -d "$root" "$out/rootfs.img" 2G
echo "$kver" >"$out/kver"
step "done"
