#!/usr/bin/env bash
# Builds assay's OCI container image without a container daemon and without network access, from
# what is already on this machine: the `node` binary on PATH (and the shared libraries `ldd` lists
# for it), the compiled `dist/`, the files `npm pack` would publish, and the PRODUCTION packages of
# node_modules (`npm ls --omit=dev`; dev dependencies never enter the image). Assembled with umoci
# (Debian package `umoci`); exported with skopeo (Debian package `skopeo`) when asked to.
#
# The image: /usr/local/bin/node, /app (the npm package + node_modules), entrypoint
# `node /app/bin/assay.js` (so `docker run IMAGE --version` and the Helm chart's `args: [controller, ...]`
# both reach the assay CLI), user 1000:1000, working directory /app, NODE_ENV=production.
# Its name is ghcr.io/assay-dev/assay:<package.json version>, the Helm chart's default image.
#
# Usage: scripts/build-image.sh [--out DIR] [--docker-archive FILE] [--oci-archive FILE] [--print-ref]
#   --out DIR             OCI image layout to write (default .tmp/image/oci); the image is tag <version> in it
#   --docker-archive FILE also export it for `docker load` / `podman load`
#   --oci-archive FILE    also export it as an OCI archive (`skopeo copy oci-archive:FILE docker://...`)
#   --print-ref           print the image reference the build produces, and exit
# Environment: IMAGE_REPOSITORY (default ghcr.io/assay-dev/assay), NODE_BIN (default: node on PATH).
# Run `npm run build` first (or use `npm run build:image`). Tested as root (CI runs as root); the
# bundle is unpacked with umoci --rootless, but an ordinary user's run has not been tried.
set -euo pipefail
cd "$(dirname "$0")/.."

repository=${IMAGE_REPOSITORY:-ghcr.io/assay-dev/assay}
version=$(node -p 'require("./package.json").version')
out=.tmp/image/oci
docker_archive=''
oci_archive=''
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --docker-archive) docker_archive=$2; shift 2 ;;
    --oci-archive) oci_archive=$2; shift 2 ;;
    --print-ref) echo "$repository:$version"; exit 0 ;;
    *) echo "build-image: unknown argument $1 (see the usage at the top of $0)" >&2; exit 4 ;;
  esac
done

die() { echo "build-image: $*" >&2; exit 1; }
command -v umoci >/dev/null || die "umoci not found (Debian: apt-get install -y umoci)"
if [ -n "$docker_archive$oci_archive" ]; then
  command -v skopeo >/dev/null || die "skopeo not found (Debian: apt-get install -y skopeo)"
fi
[ -f dist/src/cli/main.js ] || die "dist/ is not built: run \`npm run build\` first"
node_bin=$(readlink -f "${NODE_BIN:-$(command -v node)}")
[ -x "$node_bin" ] || die "no node binary at ${NODE_BIN:-PATH}"

work=$(mktemp -d "${TMPDIR:-/tmp}/assay-image-XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/pack"

# 1. The files npm publishes (package.json "files": dist, bin, crds, charts, docs...), listed by
# `npm pack --dry-run` and copied directly (no tarball to compress and unpack again). Bundled
# node_modules entries are left to step 3, which copies every production package.
npm pack --dry-run --json --ignore-scripts 2>/dev/null \
  | node -e 'for (const f of JSON.parse(require("fs").readFileSync(0, "utf8"))[0].files) if (!f.path.startsWith("node_modules/")) console.log(f.path)' \
  > "$work/pack/files"
[ -s "$work/pack/files" ] || die "npm pack --dry-run listed no files"

# 2. A fresh layout with one empty image, unpacked as a bundle to fill in.
rm -rf "$out"
mkdir -p "$(dirname "$out")"
umoci init --layout "$out"
umoci new --image "$out:$version"
umoci unpack --rootless --image "$out:$version" "$work/bundle" >/dev/null
rootfs=$work/bundle/rootfs

mkdir -p "$rootfs/app" "$rootfs/etc" "$rootfs/tmp"
chmod 1777 "$rootfs/tmp"
tar -cf - --no-recursion -T "$work/pack/files" | tar -xf - -C "$rootfs/app" --no-same-owner

# 3. Production dependencies only, copied from the installed tree (no registry needed). npm ls lists
# each installed production package once; a package nested inside another one's node_modules comes
# along with its parent.
npm ls --omit=dev --all --parseable 2>/dev/null | tail -n +2 | sort > "$work/prod-paths" || true
[ -s "$work/prod-paths" ] || die "npm ls --omit=dev found no production packages: run \`npm install\` first"
prev=''
while IFS= read -r abs; do
  rel=${abs#"$PWD"/}
  if [ -n "$prev" ] && [ "${rel#"$prev"/}" != "$rel" ]; then continue; fi
  mkdir -p "$rootfs/app/$(dirname "$rel")"
  cp -a "$rel" "$rootfs/app/$rel"
  prev=$rel
done < "$work/prod-paths"
# Executable shims in node_modules/.bin point at dev tools; nothing in the image runs them.
find "$rootfs/app/node_modules" -name '.bin' -type d -prune -exec rm -rf {} +

# 4. Node and the shared libraries it links against (node is not static).
install -D -m755 "$node_bin" "$rootfs/usr/local/bin/node"
for lib in $(ldd "$node_bin" | grep -o '/[^ ]*'); do
  install -D -m755 "$(readlink -f "$lib")" "$rootfs$lib"
done
printf 'root:x:0:0:root:/:/bin/false\nassay:x:1000:1000:assay:/app:/bin/false\n' > "$rootfs/etc/passwd"
printf 'root:x:0:\nassay:x:1000:\n' > "$rootfs/etc/group"

# 5. Commit the filesystem as one layer and set the runtime config.
umoci repack --image "$out:$version" "$work/bundle" >/dev/null
umoci config --image "$out:$version" \
  --config.entrypoint /usr/local/bin/node --config.entrypoint /app/bin/assay.js \
  --config.workingdir /app --config.user 1000:1000 \
  --config.env NODE_ENV=production --config.env PATH=/usr/local/bin:/usr/bin:/bin \
  --config.label "org.opencontainers.image.title=assay" \
  --config.label "org.opencontainers.image.version=$version" \
  --config.label "org.opencontainers.image.licenses=Apache-2.0" \
  --history.comment "scripts/build-image.sh"
umoci gc --layout "$out"

if [ -n "$docker_archive" ]; then
  rm -f "$docker_archive"
  skopeo copy --quiet "oci:$out:$version" "docker-archive:$docker_archive:$repository:$version"
fi
if [ -n "$oci_archive" ]; then
  rm -f "$oci_archive"
  skopeo copy --quiet "oci:$out:$version" "oci-archive:$oci_archive:$repository:$version"
fi
echo "built $repository:$version in $out (OCI layout, tag $version)${docker_archive:+, docker archive $docker_archive}${oci_archive:+, OCI archive $oci_archive}"
