#!/usr/bin/env bash
# Renders the paper's figure kinds from an invlearn-train trace:
#   loss.png     the training-test loss of every IG meta step, each point marked by the
#                direction the step chose (direct / none / inverse) — Figures 6 and 7
#   weights.png  the distribution of IDL positive weights at the first and the last
#                epoch — Figures 4 and 5
#
# and from a sparsity sweep's JSON:
#   sparsity.png test AUC against the share of labels kept (log scale), a line per
#                method, error bars one standard deviation over the seeds
#
# usage: scripts/plot.sh TRACE.csv [OUTDIR]
#        scripts/plot.sh --sweep SWEEP.json [OUT.png] [TITLE]
#   TRACE.csv is the file written by `invlearn-train --trace TRACE.csv` (one method);
#   TRACE.csv.weights.csv must sit beside it. OUTDIR defaults to TRACE.csv's directory.
#   SWEEP.json is the --json of `invlearn-train --label-fraction 1,0.2,0.05 --seeds 3 ...`;
#   OUT.png defaults to sparsity.png beside it.
set -euo pipefail

usage() { echo "usage: $0 TRACE.csv [OUTDIR]  |  $0 --sweep SWEEP.json [OUT.png] [TITLE]" >&2; exit 2; }

if [[ ${1:-} == --sweep ]]; then
  [[ $# -ge 2 && $# -le 4 ]] || usage
  sweep=$2
  out=${3:-$(dirname "$sweep")/sparsity.png}
  title=${4:-"Test AUC against the share of training labels kept (mean +- sd over seeds)"}
  [[ -r $sweep ]] || { echo "$0: cannot read $sweep" >&2; exit 2; }
  command -v gnuplot >/dev/null || bash "$(dirname "$0")/install-deps.sh" >&2
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  # One data file per method: fraction, mean AUC, sd (0 for a single seed).
  python3 - "$sweep" "$tmp" <<'PY' || { echo "$0: $sweep is not a sweep's JSON (no \"summary\")" >&2; exit 2; }
import json, sys
d = json.load(open(sys.argv[1]))
cells = d["summary"]
methods = d["sweep"]["methods"]
for m in methods:
    with open(f"{sys.argv[2]}/{m}.dat", "w") as f:
        for c in sorted((c for c in cells if c["method"] == m), key=lambda c: c["label_fraction"]):
            a = c["auc"]
            if a["mean"] is None: continue
            f.write(f'{c["label_fraction"]} {a["mean"]} {a["sd"] if a["sd"] is not None else 0}\n')
open(f"{sys.argv[2]}/methods", "w").write(" ".join(methods))
open(f"{sys.argv[2]}/xtics", "w").write(", ".join(f'"{f:g}" {f:g}' for f in sorted(d["sweep"]["label_fractions"])))
PY
  plots=""
  for m in $(cat "$tmp/methods"); do
    plots+="${plots:+, }\"$tmp/$m.dat\" using 1:2:3 with yerrorlines lw 2 pt 7 ps 0.8 title \"$m\""
  done
  gnuplot <<GP
set terminal pngcairo size 900,560 font ",11"
set output "$out"
set title "$title"
set xlabel "share of training labels kept"
set ylabel "test AUC"
set logscale x
set xtics ($(cat "$tmp/xtics"))
set offsets graph 0.04, graph 0.04, 0, 0
set grid
set key bottom right
plot $plots
GP
  echo "wrote $out" >&2
  exit 0
fi

[[ $# -ge 1 && $# -le 2 ]] || usage
trace=$1
weights="$trace.weights.csv"
outdir=${2:-$(dirname "$trace")}
[[ -r $trace ]] || { echo "$0: cannot read $trace" >&2; exit 2; }
[[ -r $weights ]] || { echo "$0: cannot read $weights (written beside the trace)" >&2; exit 2; }
command -v gnuplot >/dev/null || bash "$(dirname "$0")/install-deps.sh" >&2
mkdir -p "$outdir"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Meta steps only, numbered, with the loss at the chosen θ (the minimum of the three).
awk -F, 'NR > 1 && $3 == "meta" {
  n++; best = $7; if ($6 != "nan" && $6 < best) best = $6; if ($8 != "nan" && $8 < best) best = $8;
  print n, best > ("'"$tmp"'/" $9 ".dat")
}' "$trace"
for c in direct none inverse; do [[ -f $tmp/$c.dat ]] || echo "nan nan" > "$tmp/$c.dat"; done
if ! awk -F, 'NR > 1 && $3 == "meta" { found = 1 } END { exit !found }' "$trace"; then
  echo "$0: $trace has no meta steps (only the IG method makes them); loss.png not drawn" >&2
else
  gnuplot <<GP
set terminal pngcairo size 900,500 font ",11"
set output "$outdir/loss.png"
set title "Training-test loss at each IG meta step, marked by the chosen direction"
set xlabel "meta step"
set ylabel "BCE on the training-test batch"
set key top right
plot "$tmp/direct.dat" using 1:2 with points pt 7 ps 0.6 lc rgb "#1f77b4" title "direct", \
     "$tmp/none.dat" using 1:2 with points pt 6 ps 0.8 lc rgb "#7f7f7f" title "none", \
     "$tmp/inverse.dat" using 1:2 with points pt 5 ps 0.6 lc rgb "#d62728" title "inverse"
GP
fi

# First and last epoch with any weights.
read -r first last < <(awk -F, 'NR > 1 && $4 > 0 { if (!f) f = $1; l = $1 } END { print f, l }' "$weights")
if [[ -z ${first:-} ]]; then
  echo "$0: $weights has no IDL weights (only IDL and IG record them); weights.png not drawn" >&2
  exit 0
fi
awk -F, -v e="$first" 'NR > 1 && $1 == e { print ($2 + $3) / 2, $4 }' "$weights" > "$tmp/first.dat"
awk -F, -v e="$last" 'NR > 1 && $1 == e { print ($2 + $3) / 2, $4 }' "$weights" > "$tmp/last.dat"
gnuplot <<GP
set terminal pngcairo size 900,500 font ",11"
set output "$outdir/weights.png"
set title "IDL positive weight w1 of the unlabeled pairs (w1 > 0.5: labeled positive)"
set xlabel "w1"
set ylabel "share of pairs"
set xrange [0:1]
set style fill transparent solid 0.45 noborder
stats "$tmp/first.dat" using 2 name "F" nooutput
stats "$tmp/last.dat" using 2 name "L" nooutput
plot "$tmp/first.dat" using 1:(\$2 / F_sum) with boxes lc rgb "#1f77b4" title "epoch $first", \
     "$tmp/last.dat" using 1:(\$2 / L_sum) with boxes lc rgb "#d62728" title "epoch $last"
GP
echo "wrote $outdir/loss.png and $outdir/weights.png" >&2
