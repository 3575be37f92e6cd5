#!/usr/bin/env bash
# Black-box tests of serving: invlearn-train --topk, invlearn-recommend and invlearn-export
# on a small pre-split ratings set made here. Bad input must exit 2 with a message naming
# it; a trained model's lists and metrics must agree with an independent computation
# (serving_reference.py, numpy) from the exported vectors, when /usr/bin/python3 has numpy.
#
#   bash tests/cli/run_serving_tests.sh TRAIN RECOMMEND EXPORT   (paths of the programs)
#
# Exits 0 when all cases pass, 1 otherwise (listing the failures).
set -u

if [ $# -ne 3 ]; then
  echo "usage: $0 path/to/invlearn-train path/to/invlearn-recommend path/to/invlearn-export" >&2
  exit 1
fi
abs() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }
TRAIN="$(abs "$1")" RECOMMEND="$(abs "$2")" EXPORT="$(abs "$3")"
HERE="$(cd "$(dirname "$0")" && pwd)"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-2}"

. "$HERE/harness.sh"
enter_scratch invlearn-serving-test
run() { run_program "$@"; }

# --- data: 150 users, 240 items in 4 tastes; each user rates ~45 items, 5 stars for
# their taste and 1-2 otherwise (with noise); rows split 60/20/20 per row. ---------------
awk 'BEGIN {
  srand(7);
  for (u = 0; u < 150; ++u) {
    for (i = 0; i < 240; ++i) {
      if (rand() >= 45 / 240) continue;
      r = (u % 4 == i % 4) ? 5 : 1 + int(rand() * 2);
      if (rand() < 0.15) r = 1 + int(rand() * 5);
      x = rand();
      f = x < 0.6 ? "train.tsv" : (x < 0.8 ? "valid.tsv" : "test.tsv");
      printf "u%d\ti%d\t%d\n", u, i, r > f;
    }
  }
  # an item seen by no one in training, and a user whose only rows are in the test file
  printf "u0\tnew_item\t5\n" > "test.tsv"; printf "lonely\ti3\t5\n" > "test.tsv";
}'
KS=5,10

# --- invlearn-train --topk: flag errors, a run per model, checkpoints ------------------
run topk_zero 2 "$TRAIN" --topk 0
expect_in topk_zero topk_zero.err "--topk: must be"
run topk_twice 2 "$TRAIN" --topk 5,5
expect_in topk_twice topk_twice.err "--topk: 5 is listed twice"
run topk_junk 2 "$TRAIN" --topk 10,x
expect_in topk_junk topk_junk.err "--topk: expected an integer, got 'x'"

run train_gmf 0 "$TRAIN" --data train.tsv --valid valid.tsv --test test.tsv --method none --epochs 8 --dim 16 \
  --lr 0.01 --topk "$KS" --json gmf.json --save gmf.ckpt --quiet
expect_in train_gmf train_gmf.out "R@5"
expect_in train_gmf train_gmf.out "N@10"
expect_in train_gmf gmf.json '"recall@10"'
expect_in train_gmf gmf.json '"users_without_positive"'
run train_neumf 0 "$TRAIN" --data train.tsv --valid valid.tsv --test test.tsv --model neumf --method none \
  --epochs 3 --dim 8 --lr 0.01 --topk "$KS" --json neumf.json --save neumf.ckpt --quiet

# --- invlearn-recommend: bad input -------------------------------------------------------
printf 'u1\nnobody\n' >bad_users.txt
printf 'u3\n\nu1\nlonely\n' >some_users.txt
run rec_help 0 "$RECOMMEND" --help
for flag in --load --users --k --exclude --exclude-format --format --out --threads; do expect_in rec_help rec_help.out "$flag"; done
run rec_no_load 2 "$RECOMMEND" --k 5
expect_in rec_no_load rec_no_load.err "--load"
run rec_missing 2 "$RECOMMEND" --load nope.ckpt
expect_in rec_missing rec_missing.err "--load: cannot read nope.ckpt"
run rec_not_ckpt 2 "$RECOMMEND" --load train.tsv
expect_in rec_not_ckpt rec_not_ckpt.err "train.tsv"
run rec_k0 2 "$RECOMMEND" --load gmf.ckpt --k 0
expect_in rec_k0 rec_k0.err "--k: must be at least 1, got 0"
run rec_k_neg 2 "$RECOMMEND" --load gmf.ckpt --k -3
expect_in rec_k_neg rec_k_neg.err "--k: must be at least 1"
run rec_unknown_user 2 "$RECOMMEND" --load gmf.ckpt --users bad_users.txt
expect_in rec_unknown_user rec_unknown_user.err "bad_users.txt:2: unknown user id 'nobody'"
run rec_no_users_file 2 "$RECOMMEND" --load gmf.ckpt --users no_such_users.txt
expect_in rec_no_users_file rec_no_users_file.err "--users: cannot read no_such_users.txt"
run rec_no_exclude 2 "$RECOMMEND" --load gmf.ckpt --exclude no_such.tsv
expect_in rec_no_exclude rec_no_exclude.err "--exclude: cannot read no_such.tsv"
printf 'u1\ti2\n' >short.tsv
run rec_bad_exclude 2 "$RECOMMEND" --load gmf.ckpt --exclude short.tsv
expect_in rec_bad_exclude rec_bad_exclude.err "short.tsv:1:"
run rec_bad_format 2 "$RECOMMEND" --load gmf.ckpt --format xml
expect_in rec_bad_format rec_bad_format.err "--format: unknown value 'xml'"
run rec_bad_out 2 "$RECOMMEND" --load gmf.ckpt --out no/such/dir/recs.tsv
expect_in rec_bad_out rec_bad_out.err "--out"
head -c 100 gmf.ckpt >truncated.ckpt
run rec_truncated 2 "$RECOMMEND" --load truncated.ckpt
expect_in rec_truncated rec_truncated.err "truncated.ckpt"
# A checkpoint of another kind of model: gmf.ckpt with its kind renamed and its checksum
# (FNV-1a 64 of every byte but the last 8, little-endian) recomputed, so only the kind is wrong.
/usr/bin/python3 - gmf.ckpt other_kind.ckpt <<'EOF'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
at = b.find(b"gmf")
b[at:at + 3] = b"bpr"
h = 0xcbf29ce484222325
for x in b[:-8]:
    h = ((h ^ x) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
b[-8:] = h.to_bytes(8, "little")
open(sys.argv[2], "wb").write(bytes(b))
EOF
run rec_other_kind 2 "$RECOMMEND" --load other_kind.ckpt
expect_in rec_other_kind rec_other_kind.err "--load: other_kind.ckpt holds a model of kind 'bpr'"
run exp_other_kind 2 "$EXPORT" --load other_kind.ckpt --out other_export
expect_in exp_other_kind exp_other_kind.err "--load: other_kind.ckpt holds a model of kind 'bpr'"

# --- invlearn-recommend: lists --------------------------------------------------------------
run rec_gmf 0 "$RECOMMEND" --load gmf.ckpt --users all --k 10 --exclude train.tsv --exclude valid.tsv --out gmf.recs.tsv
if [ -s gmf.recs.tsv ] && awk -F'\t' 'NF != 4 || $2 < 1 || $2 > 10 { bad = 1 } END { exit bad }' gmf.recs.tsv; then pass; else
  fail "rec_gmf: gmf.recs.tsv is not user<TAB>rank<TAB>item<TAB>score lines"; fi
# Excluded pairs never come back.
if awk -F'\t' 'NR == FNR { seen[$1 "\t" $2] = 1; next } ($1 "\t" $3) in seen { bad = 1 } END { exit bad }' \
  train.tsv gmf.recs.tsv; then pass; else fail "rec_gmf: a training pair was recommended"; fi
run rec_some 0 "$RECOMMEND" --load gmf.ckpt --users some_users.txt --k 3 --format json
if /usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["k"] == 3 and [r["user"] for r in d["recommendations"]] == ["u3", "u1", "lonely"], d
assert all(len(r["items"]) == 3 == len(r["scores"]) for r in d["recommendations"])
assert all(r["scores"] == sorted(r["scores"], reverse=True) for r in d["recommendations"])
' rec_some.out; then pass; else fail "rec_some: the JSON lists are not as documented"; fi
# The same lists for one thread and two; more items than the catalogue: every item once.
run rec_one_thread 0 "$RECOMMEND" --load gmf.ckpt --k 10 --exclude train.tsv --exclude valid.tsv --threads 1
if cmp -s rec_one_thread.out gmf.recs.tsv; then pass; else fail "rec_one_thread: lists differ from two threads"; fi
run rec_all_items 0 "$RECOMMEND" --load gmf.ckpt --users some_users.txt --k 100000
if [ "$(grep -c "^u3	" rec_all_items.out)" -eq 241 ]; then pass; else fail "rec_all_items: u3 does not get all 241 items"; fi

# --- invlearn-export ---------------------------------------------------------------------------
run exp_missing 2 "$EXPORT" --load nope.ckpt --out x
expect_in exp_missing exp_missing.err "--load: cannot read nope.ckpt"
run exp_bad_dir 2 "$EXPORT" --load gmf.ckpt --out no/such/dir
expect_in exp_bad_dir exp_bad_dir.err "--out: cannot make directory no/such/dir"
run exp_gmf 0 "$EXPORT" --load gmf.ckpt --out gmf_export
for f in user_vectors.tsv item_vectors.tsv user_vectors.npy item_vectors.npy user_ids.txt item_ids.txt scoring.json; do
  if [ -s "gmf_export/$f" ]; then pass; else fail "exp_gmf: gmf_export/$f missing"; fi
done
expect_in exp_gmf gmf_export/scoring.json '"kind": "inner_product"'
expect_in exp_gmf gmf_export/scoring.json '"bias":'
run exp_neumf 0 "$EXPORT" --load neumf.ckpt --out neumf_export
expect_in exp_neumf neumf_export/scoring.json '"kind": "neumf"'
run rec_neumf 0 "$RECOMMEND" --load neumf.ckpt --k 10 --exclude train.tsv --exclude valid.tsv --out neumf.recs.tsv

# --- the independent check ------------------------------------------------------------------------
if /usr/bin/python3 -c 'import numpy' 2>/dev/null; then
  if /usr/bin/python3 "$HERE/serving_reference.py" gmf_export train.tsv valid.tsv test.tsv gmf.json gmf.recs.tsv "$KS" \
    >ref_gmf.out 2>&1; then pass; else fail "GMF: lists or metrics disagree with the reference"; sed 's/^/    /' ref_gmf.out >&2; fi
  if /usr/bin/python3 "$HERE/serving_reference.py" neumf_export train.tsv valid.tsv test.tsv neumf.json neumf.recs.tsv "$KS" \
    >ref_neumf.out 2>&1; then pass; else fail "NeuMF: lists or metrics disagree with the reference"; sed 's/^/    /' ref_neumf.out >&2; fi
  cat ref_gmf.out ref_neumf.out
else
  echo "note: /usr/bin/python3 has no numpy; the independent check is skipped (tests/test_rank.cpp and" \
    "tests/test_metrics.cpp hold the brute-force references)"
fi

echo "serving black-box tests: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
