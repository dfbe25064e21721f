#!/usr/bin/env bash
# Adam, ns/element: the engine (JMH, 256 and 512 bits) and gcc's loop (default and 512-bit vectors;
# and, as gcc_recip, with the engine's division by the constant, unguarded), side by side in one run. Not part of the build: it needs gcc. Usage: perf/c/compare.sh [SIZES]
set -euo pipefail
cd "$(dirname "$0")/../.."
sizes="${1:-4096,65536,1048576,16777216}"
out="$(mktemp -d)"
gcc -O3 -march=native -fno-math-errno -o "$out/adam_gcc" perf/c/adam_step.c -lm
gcc -O3 -march=native -mprefer-vector-width=512 -fno-math-errno -o "$out/adam_gcc512" perf/c/adam_step.c -lm
gcc -O3 -march=native -fno-math-errno -DRECIPROCAL -o "$out/adam_gcc_recip" perf/c/adam_step.c -lm
./mvnw -q -DskipTests -Pbench verify -Djmh.args="OptimizerBench -p optimizer=adam -p size=$sizes \
  -p width=BITS_256,BITS_512 -f 1 -wi 3 -i 5 -w 1 -r 1 -rf csv -rff $out/jmh.csv" > "$out/jmh.log"
printf '%-10s %10s %10s %10s %10s %10s\n' size engine256 engine512 gcc gcc512 gcc_recip
for n in ${sizes//,/ }; do
  e256=$(awk -F, -v n="$n" '$0 ~ /BITS_256/ && $9 == n { printf "%.4f", $5 * 1000 / n }' "$out/jmh.csv")
  e512=$(awk -F, -v n="$n" '$0 ~ /BITS_512/ && $9 == n { printf "%.4f", $5 * 1000 / n }' "$out/jmh.csv")
  printf '%-10s %10s %10s %10s %10s %10s\n' "$n" "$e256" "$e512" "$("$out/adam_gcc" "$n" | cut -d' ' -f2)" \
    "$("$out/adam_gcc512" "$n" | cut -d' ' -f2)" "$("$out/adam_gcc_recip" "$n" | cut -d' ' -f2)"
done
