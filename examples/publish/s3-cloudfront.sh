#!/usr/bin/env bash
# Publish to an object store behind a CDN (here Amazon S3 and CloudFront with the aws CLI),
# uploading only the files this build changed and purging only their URLs.
#
#   Build command: epaper build --strict --out public --changes changes.txt
#   Output folder: public
#
# Run it from the site repository, where public/ and epaper's cache are kept between runs
# (a CI cache or a build machine's disk): the cache is what makes the build incremental and
# the list of changes short. With no cache, every file is listed as added: still correct.
#
#   BUCKET=s3://epaper-example DISTRIBUTION=E123EXAMPLE bash s3-cloudfront.sh
set -euo pipefail

: "${BUCKET:?set BUCKET, e.g. s3://epaper-example}"
: "${DISTRIBUTION:?set DISTRIBUTION to the CloudFront distribution id}"
BASE_URL="${BASE_URL:-}"   # leave empty to use config.yaml's base_url

args=(build --strict --out public --changes changes.txt)
if [ -n "$BASE_URL" ]; then args+=(--base-url "$BASE_URL"); fi
epaper "${args[@]}"

# changes.txt: one "added|changed|removed URL" line per file, URLs absolute.
base=$(python3 -c 'import sys,yaml; print(yaml.safe_load(open("config.yaml"))["base_url"].rstrip("/") + "/")')
[ -n "$BASE_URL" ] && base="${BASE_URL%/}/"

paths=()
while read -r kind url; do
  rel="${url#"$base"}"                       # e.g. 2022-11-04/ or feed.xml
  file="$rel"
  case "$file" in ""|*/) file="${file}index.html" ;; esac
  case "$file" in
    assets/*|pagefind/fragment/*|pagefind/index/*|pagefind/filter/*|pagefind/*.pf_meta)
      cache="public, max-age=31536000, immutable" ;;   # content-named: never changes
    *)
      cache="public, max-age=0, must-revalidate" ;;
  esac
  if [ "$kind" = removed ]; then
    aws s3 rm "$BUCKET/$file"
  else
    aws s3 cp "public/$file" "$BUCKET/$file" --cache-control "$cache"
  fi
  # Only URLs that a CDN may hold an old copy of need purging; new names need none
  # (CloudFront keeps a 404 for 10 seconds by default, no longer).
  if [ "$kind" != added ]; then
    path="/${url#*://*/}"                      # the URL's path, base_url's path included
    paths+=("$path")
    case "$path" in */) paths+=("${path}index.html") ;; esac   # /2022-11-04/ and …/index.html
  fi
done < changes.txt

if [ "${#paths[@]}" -gt 0 ]; then
  # CloudFront takes up to 3,000 paths per request; a long list goes in batches.
  printf '%s\n' "${paths[@]}" | sort -u | xargs -r -n 1000 \
    aws cloudfront create-invalidation --distribution-id "$DISTRIBUTION" --paths
fi
echo "uploaded $(grep -cv '^removed' changes.txt || true) files, purged ${#paths[@]} paths"
