#!/usr/bin/env bash
# invlearn-train under mpirun: -np 2 prints the table of -np 1 (seconds aside), rank 0 alone
# writes the outputs, and a checkpoint saved at -np 2 resumes at -np 1 as if the run had
# not stopped. Usage: cli_mpi.sh <mpiexec> <invlearn-train> <scratch dir>
set -euo pipefail
MPIEXEC="$1"
TRAIN="$2"
DIR="$3"
rm -rf "$DIR" && mkdir -p "$DIR"
ARGS=(--method ig --model gmf --patience 0 --threads 1 --batch 512 --dim 8
      --synthetic-users 300 --synthetic-items 150 --synthetic-rows-per-user 20 --quiet)
table() { grep '^ig ' "$1" | awk '{$8 = ""; print}'; }   # the row without its seconds

"$MPIEXEC" -np 1 "$TRAIN" "${ARGS[@]}" --epochs 3 > "$DIR/np1.txt"
"$MPIEXEC" -np 2 --oversubscribe "$TRAIN" "${ARGS[@]}" --epochs 3 --json "$DIR/np2.json" > "$DIR/np2.txt"
if [ "$(table "$DIR/np1.txt")" != "$(table "$DIR/np2.txt")" ]; then
  echo "np 1 and np 2 differ:"; cat "$DIR/np1.txt" "$DIR/np2.txt"; exit 1
fi
[ "$(grep -c '^ig ' "$DIR/np2.txt")" = 1 ] || { echo "rank 0 alone must print the table"; exit 1; }
[ -s "$DIR/np2.json" ] || { echo "no --json written"; exit 1; }

# Stop after 2 epochs at np 2, resume at np 1 to epoch 3: the table of the 3-epoch run.
"$MPIEXEC" -np 2 --oversubscribe "$TRAIN" "${ARGS[@]}" --epochs 2 --save "$DIR/ck.bin" > /dev/null
"$TRAIN" "${ARGS[@]}" --epochs 3 --resume "$DIR/ck.bin" > "$DIR/resumed.txt"
if [ "$(table "$DIR/np1.txt")" != "$(table "$DIR/resumed.txt")" ]; then
  echo "resumed at np 1 from np 2's checkpoint, the run differs:"; cat "$DIR/np1.txt" "$DIR/resumed.txt"; exit 1
fi

# A usage error ends every rank with exit 2, without a hang.
rc=0
timeout 60 "$MPIEXEC" -np 2 --oversubscribe "$TRAIN" --batch 0 > /dev/null 2> "$DIR/err.txt" || rc=$?
[ "$rc" = 2 ] || { echo "a usage error under mpirun: exit $rc, expected 2"; cat "$DIR/err.txt"; exit 1; }
echo "cli under mpirun: ok"
