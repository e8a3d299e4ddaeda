#!/usr/bin/env bash
# Mutation testing of engine/.../book with PIT: each mutant is a deliberate bug (a flipped comparison, a removed call,
# a changed constant); the score is the share the book's tests catch. Not part of CI (minutes on 2 cores).
#   bench/mutation.sh [TRIES]   TRIES: property-test tries per mutant (default 60; CI runs each property 300-400 times)
# Prints the score line; the report is engine/target/pit-reports/index.html (mutations.csv beside it).
set -euo pipefail
cd "$(dirname "$0")/.."
tries="${1:-60}"
mvn -B -q install -DskipTests -pl engine -am
mvn -B -Pmutation -pl engine -Dtriage.mutation.tries="$tries" org.pitest:pitest-maven:mutationCoverage 2>&1 \
  | sed 's/\x1b\[[0-9;]*m//g' | grep -E "Generated [0-9]+ mutations|Line Coverage|Test strength|BUILD" || true
csv=engine/target/pit-reports/mutations.csv
if [ -f "$csv" ]; then
  awk -F, '{ n++; s[$6]++ } END { for (k in s) printf "%s %d\n", k, s[k]; printf "total %d\n", n }' "$csv" | sort
fi
