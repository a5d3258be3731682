#!/bin/sh
# Refreshes the dashboard's vendored front-end libraries from npm. The
# files are committed and embedded, so building or running seismo needs no
# Node; only this script does (npm, and node for one JSON transform).
# Bump a version here, run the script, check the sizes it prints (the
# dashboard's embedded assets must stay under 1 MB) and commit.
set -eu

UPLOT=1.6.32
TOPOJSON=3.1.0
ATLAS=2.0.2
ISO=7.14.0

root="$(cd "$(dirname "$0")/.." && pwd)"
vendor="$root/dashboard/assets/vendor"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# unpack PKG VERSION: npm pack into the temp dir, untar into $tmp/PKG.
unpack() {
	(cd "$tmp" && npm pack --silent "$1@$2" >/dev/null)
	mkdir -p "$tmp/$1"
	tar -xzf "$tmp/$1-$2.tgz" -C "$tmp/$1"
}

unpack uplot "$UPLOT"
unpack topojson-client "$TOPOJSON"
unpack world-atlas "$ATLAS"
unpack i18n-iso-countries "$ISO"

rm -rf "$vendor"
mkdir -p "$vendor/uplot" "$vendor/topojson-client" "$vendor/world-atlas" "$vendor/i18n-iso-countries"

cp "$tmp/uplot/package/dist/uPlot.iife.min.js" "$tmp/uplot/package/dist/uPlot.min.css" \
	"$tmp/uplot/package/LICENSE" "$vendor/uplot/"
cp "$tmp/topojson-client/package/dist/topojson-client.min.js" \
	"$tmp/topojson-client/package/LICENSE" "$vendor/topojson-client/"
cp "$tmp/world-atlas/package/countries-110m.json" \
	"$tmp/world-atlas/package/LICENSE" "$vendor/world-atlas/"
cp "$tmp/i18n-iso-countries/package/LICENSE" "$vendor/i18n-iso-countries/"

# world-atlas names countries by ISO 3166 numeric code, seismo by alpha-2:
# keep only the mapping and the English names the dashboard shows when the
# browser has no Intl.DisplayNames.
node -e '
const fs = require("fs");
const [codesFile, enFile, out] = process.argv.slice(1);
const codes = JSON.parse(fs.readFileSync(codesFile, "utf8"));
const en = JSON.parse(fs.readFileSync(enFile, "utf8")).countries;
const numeric = {}, names = {};
for (const [a2, , num] of codes) numeric[num] = a2;
for (const [a2, n] of Object.entries(en)) names[a2] = Array.isArray(n) ? n[0] : n;
fs.writeFileSync(out, JSON.stringify({numeric, names}) + "\n");
' "$tmp/i18n-iso-countries/package/codes.json" "$tmp/i18n-iso-countries/package/langs/en.json" \
	"$vendor/i18n-iso-countries/countries.json"

cat >"$vendor/README.md" <<EOT
Vendored by scripts/vendor-assets.sh from npm; do not edit by hand.

| directory | npm package | files |
|---|---|---|
| uplot | uplot@$UPLOT | dist/uPlot.iife.min.js, dist/uPlot.min.css, LICENSE |
| topojson-client | topojson-client@$TOPOJSON | dist/topojson-client.min.js, LICENSE |
| world-atlas | world-atlas@$ATLAS | countries-110m.json (Natural Earth, public domain), LICENSE |
| i18n-iso-countries | i18n-iso-countries@$ISO | countries.json (made from codes.json and langs/en.json: numeric code to alpha-2, alpha-2 to English name), LICENSE |
EOT

(cd "$vendor" && find . -type f | sort | xargs wc -c)
echo "all embedded dashboard assets: $(find "$root/dashboard/assets" -type f -exec cat {} + | wc -c) bytes (limit 1000000)"
