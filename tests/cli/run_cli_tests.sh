#!/usr/bin/env bash
# Black-box tests of the invlearn-train program: --help, usage errors, hostile input
# files, and small real runs whose outputs (JSON, trace files) are checked.
#
#   bash tests/cli/run_cli_tests.sh path/to/invlearn-train
#
# Every case checks the exit code; none may end in a signal (exit code >= 128).
# Exits 0 when all cases pass, 1 otherwise (listing the failures).
set -u

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
  echo "usage: $0 path/to/invlearn-train" >&2
  exit 1
fi
EXE="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
HERE="$(cd "$(dirname "$0")" && pwd)"
SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../scripts" && pwd)"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"

. "$HERE/harness.sh"
enter_scratch invlearn-cli-test

# run NAME EXPECTED_CODE ARGS... : runs the program (harness.sh's run_program).
run() {
  local name="$1" expected="$2"
  shift 2
  run_program "$name" "$expected" "$EXE" "$@"
}

# --- --help ----------------------------------------------------------------------
run help 0 --help
for flag in --data --valid --test --format --positive-above --negative-below --unlabeled \
  --label-fraction --model --method --epochs --batch --dim --lr --alpha --ig-schedule --ig-step --seed --threads \
  --json --trace --save --load --resume --synthetic-users --synthetic-items \
  --synthetic-rows-per-user --quiet --config --help; do
  expect_in help help.out "$flag"
done
expect_in help help.out "Exit status"
expect_in help help.out "(default: test-pass)"
expect_in help help.out "(default: sgd)"

# --- usage errors: exit 2, one message naming the flag -----------------------------
run unknown_flag 2 --frobnicate
expect_in unknown_flag unknown_flag.err "unknown flag '--frobnicate'"
run missing_value 2 --epochs
expect_in missing_value missing_value.err "--epochs: missing value"
run bad_number 2 --lr abc
expect_in bad_number bad_number.err "--lr: expected a number, got 'abc'"
run trailing_junk 2 --lr 1x
expect_in trailing_junk trailing_junk.err "--lr: expected a number, got '1x'"
run zero_epochs 2 --epochs 0
expect_in zero_epochs zero_epochs.err "--epochs"
run zero_batch 2 --batch 0
expect_in zero_batch zero_batch.err "--batch"
run bad_fraction 2 --label-fraction 1.5
expect_in bad_fraction bad_fraction.err "--label-fraction"
run bad_lr 2 --lr 0
expect_in bad_lr bad_lr.err "--lr"
run bad_alpha 2 --alpha -1
expect_in bad_alpha bad_alpha.err "--alpha"
run bad_method 2 --method bpr
expect_in bad_method bad_method.err "--method"
run bad_ig_step 2 --method ig --ig-preset paper --ig-step adam
expect_in bad_ig_step bad_ig_step.err "--ig-step: unknown value 'adam' (expected sgd or normalized)"
run bad_ig_schedule 2 --method ig --ig-preset paper --ig-schedule=per-batch
expect_in bad_ig_schedule bad_ig_schedule.err "--ig-schedule: unknown value 'per-batch' (expected test-pass or per-train-batch)"
run ig_flag_without_ig 2 --method none,idl --ig-step normalized
expect_in ig_flag_without_ig ig_flag_without_ig.err "--ig-step: applies to the ig method only"
run ig_step_with_blocks 2 --method ig --ig-step normalized
expect_in ig_step_with_blocks ig_step_with_blocks.err "--ig-step: applies to --ig-preset paper only"
run alpha_with_blocks 2 --method ig --alpha 1e-4
expect_in alpha_with_blocks alpha_with_blocks.err "--alpha: applies to --ig-preset paper only"
run bad_ig_preset 2 --method ig --ig-preset fast
expect_in bad_ig_preset bad_ig_preset.err "--ig-preset: unknown value 'fast' (expected blocks or paper)"
run json_bad_dir 2 --json "$WORK/no/such/dir/out.json"
expect_in json_bad_dir json_bad_dir.err "--json"

# --- hostile input files: exit 2, message with file and line --------------------------
: >empty.txt
printf '1\t10\t4\n2\t11\n' >missing_field.tsv
printf '1::10::5::0\n2::11::abc::0\n' >non_numeric.dat
printf '1,10,0.5\n2,11,nan\n' >nan_value.csv
python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(256)) * 4)' >garbage.bin

run empty_file 2 --data empty.txt
expect_in empty_file empty_file.err "empty.txt"
expect_in empty_file empty_file.err "empty"
run missing_field 2 --data missing_field.tsv
expect_in missing_field missing_field.err "missing_field.tsv:2:"
run non_numeric 2 --data non_numeric.dat
expect_in non_numeric non_numeric.err "non_numeric.dat:2:"
expect_in non_numeric non_numeric.err "'abc' is not a number"
run nan_value 2 --data nan_value.csv
expect_in nan_value nan_value.err "nan_value.csv:2:"
run garbage 2 --data garbage.bin
expect_in garbage garbage.err "garbage.bin:1:"
run no_such_file 2 --data does_not_exist.txt
expect_in no_such_file no_such_file.err "does_not_exist.txt"
run no_such_valid 2 --data missing_field.tsv --valid nope.tsv --test nope2.tsv
expect_in no_such_valid no_such_valid.err "missing_field.tsv:2:"

# A half-star rating between the default thresholds (2 and 3) is ambiguous, not guessed.
printf '1\t10\t5\n1\t11\t2.5\n' >ambiguous.tsv
run ambiguous 2 --data ambiguous.tsv
expect_in ambiguous ambiguous.err "--positive-above"

# --- a tiny synthetic run: exit 0 and a JSON report with every field -----------------
run tiny 0 --epochs 1 --synthetic-users 200 --synthetic-items 100 --method none,ig --json out.json \
  --trace trace.csv
expect_in tiny tiny.out "dataset synthetic"
expect_in tiny tiny.out "NDCG@10"
if python3 - out.json <<'EOF'; then pass; else fail "tiny: out.json is not the documented JSON"; fi
import json, math, sys
d = json.load(open(sys.argv[1]))
assert set(d) == {"dataset", "model", "results"}, d.keys()
assert d["model"] == "gmf"
assert d["dataset"]["name"] == "synthetic" and d["dataset"]["users"] == 200 and d["dataset"]["items"] == 100
assert [r["method"] for r in d["results"]] == ["none", "ig"]
keys = {"method", "auc", "gauc", "gauc_weighted", "ndcg@10", "mrr", "best_epoch", "train_seconds",
        "ig_choices", "annotation_accuracy", "ig_preset", "ig_schedule", "ig_step"}
for r in d["results"]:
    assert set(r) == keys, sorted(set(r) ^ keys)
    for k in ("auc", "gauc", "gauc_weighted", "ndcg@10", "mrr", "train_seconds"):
        assert isinstance(r[k], float) and math.isfinite(r[k]), (k, r[k])
    assert r["best_epoch"] == 1
    assert set(r["ig_choices"]) == {"direct", "none", "inverse"}
none, ig = d["results"]
assert none["annotation_accuracy"] is None
assert none["ig_preset"] is None and none["ig_schedule"] is None and none["ig_step"] is None
assert ig["ig_preset"] == "blocks" and ig["ig_schedule"] is None and ig["ig_step"] is None
assert isinstance(ig["annotation_accuracy"], float) and 0 <= ig["annotation_accuracy"] <= 1
assert sum(ig["ig_choices"].values()) > 0 and sum(none["ig_choices"].values()) == 0
EOF
for f in trace.none.csv trace.none.csv.weights.csv trace.ig.csv trace.ig.csv.weights.csv; do
  if [ -s "$f" ]; then pass; else fail "tiny: trace file $f missing or empty"; fi
done
expect_in tiny trace.ig.csv "epoch,step,phase"
if ls "$WORK" | grep -q '\.tmp\.'; then fail "tiny: a temporary JSON file was left behind"; else pass; fi
# Not a terminal: plain epoch lines on stderr, no carriage returns.
expect_in tiny tiny.err "[ig] epoch 1 train_loss"
if grep -q $'\r' tiny.err; then fail "tiny: carriage returns in non-terminal progress"; else pass; fi

# --ig-step and --ig-schedule reach the paper's IG: on the same seed, each gives other
# results than its defaults, and the JSON records what ran.
IG="--epochs 2 --synthetic-users 200 --synthetic-items 100 --method ig --ig-preset paper --quiet"
run ig_default 0 $IG --json ig_default.json --trace ig_default.csv
run ig_normalized 0 $IG --ig-step normalized --json ig_normalized.json --save ig_normalized.ckpt
run ig_per_train_batch 0 $IG --ig-schedule per-train-batch --json ig_ptb.json --trace ig_ptb.csv
if python3 - ig_default.json ig_normalized.json ig_ptb.json <<'EOF'; then pass; else fail "ig flags: results or JSON do not show the chosen schedule and step rule"; fi
import json, sys
default, normalized, ptb = (json.load(open(p))["results"][0] for p in sys.argv[1:])
assert (default["ig_preset"], default["ig_schedule"], default["ig_step"]) == ("paper", "test-pass", "sgd"), default
assert (normalized["ig_schedule"], normalized["ig_step"]) == ("test-pass", "normalized"), normalized
assert (ptb["ig_schedule"], ptb["ig_step"]) == ("per-train-batch", "sgd"), ptb
metrics = ("auc", "gauc", "gauc_weighted", "ndcg@10", "mrr")
assert [default[k] for k in metrics] != [normalized[k] for k in metrics], "--ig-step normalized changed nothing"
assert [default[k] for k in metrics] != [ptb[k] for k in metrics], "--ig-schedule per-train-batch changed nothing"
EOF
# TestPass takes one meta step per training-test batch (fewer than the training
# batches at a 10% split); PerTrainBatch one per training-train batch.
if python3 - ig_default.csv ig_ptb.csv <<'EOF'; then pass; else fail "ig flags: meta steps per epoch do not follow --ig-schedule"; fi
import csv, sys
def counts(path):
    rows = [r for r in csv.DictReader(open(path)) if r["epoch"] == "1"]
    return sum(r["phase"] == "train" for r in rows), sum(r["phase"] == "meta" for r in rows)
train, meta = counts(sys.argv[1])
assert 0 < meta < train, (train, meta)
train, meta = counts(sys.argv[2])
assert meta == train > 0, (train, meta)
EOF

# A sparsity sweep: two label fractions x two seeds, every run in the JSON, the table of
# means and standard deviations, and the picture of it.
run sweep 0 --synthetic-users 200 --synthetic-items 100 --method none,idl --label-fraction 1,0.3 --seeds 2 \
  --epochs 3 --patience 0 --json sweep.json
expect_in sweep sweep.out "+-"
expect_in sweep sweep.out "seed 43"
if python3 - sweep.json <<'EOF'; then pass; else fail "sweep: sweep.json is not the documented sweep report"; fi
import json, statistics, sys
d = json.load(open(sys.argv[1]))
assert list(d) == ["model", "sweep", "summary", "runs"], list(d)
assert d["sweep"] == {"label_fractions": [1, 0.3], "seeds": [42, 43], "methods": ["none", "idl"]}, d["sweep"]
assert [(r["label_fraction"], r["seed"]) for r in d["runs"]] == [(1, 42), (1, 43), (0.3, 42), (0.3, 43)]
assert all(r["dataset"]["label_fraction"] == r["label_fraction"] for r in d["runs"])
# Each summary cell is the mean and sample sd of the runs' AUCs, recomputed here.
for c in d["summary"]:
    v = [x["auc"] for r in d["runs"] if r["label_fraction"] == c["label_fraction"]
         for x in r["results"] if x["method"] == c["method"]]
    assert c["auc"]["n"] == 2 and abs(c["auc"]["mean"] - statistics.mean(v)) < 1e-12, (c, v)
    assert abs(c["auc"]["sd"] - statistics.stdev(v)) < 1e-12, (c, v)
# Fewer labels, fewer training rows; another seed, another split.
rows = {(r["label_fraction"], r["seed"]): r["dataset"]["train_rows"] for r in d["runs"]}
assert rows[(0.3, 42)] < rows[(1, 42)], rows
assert d["runs"][0]["results"][0]["auc"] != d["runs"][1]["results"][0]["auc"]
EOF
if bash "$SCRIPTS/plot.sh" --sweep sweep.json sweep.png >plot.out 2>&1 && [ -s sweep.png ] && \
   [ "$(head -c 4 sweep.png | od -An -c | tr -d ' ')" = "211PNG" ]; then
  pass
else
  fail "sweep: scripts/plot.sh --sweep did not draw a PNG: $(tail -2 plot.out)"
fi
run sweep_save 2 --seeds 2 --save x.ckpt
expect_in sweep_save sweep_save.err "--save: not with a sweep"

# --quiet: nothing on stderr.
run quiet 0 --quiet --epochs 1 --synthetic-users 100 --synthetic-items 50 --synthetic-rows-per-user 10 --method none
if [ -s quiet.err ]; then fail "quiet: stderr is not empty"; else pass; fi

# --- a ratings file: split run, pre-split run, hidden labels ---------------------------
python3 - <<'EOF'
import random
r = random.Random(1)
def write(path, users):
    with open(path, "w") as f:
        for u in users:
            for i in r.sample(range(60), 12):
                f.write(f"{u}\t{i}\t{r.choice([1, 2, 3, 4, 5])}\t0\n")
write("ratings.tsv", range(80))
write("train.tsv", range(80))
write("valid.tsv", range(80))
write("test.tsv", range(80))
EOF
run file_split 0 --data ratings.tsv --epochs 1 --method none,idl --json file.json
expect_in file_split file_split.out "dataset ratings.tsv: 80 users, 60 items"
if python3 -c 'import json,sys; d=json.load(open("file.json")); assert all(r["annotation_accuracy"] is None for r in d["results"])'; then
  pass
else
  fail "file_split: annotation accuracy must be null when the truth is unknown"
fi
run file_presplit 0 --data train.tsv --valid valid.tsv --test test.tsv --epochs 1 --method ig --quiet
run file_hidden 0 --data ratings.tsv --epochs 1 --method idl --unlabeled hidden --label-fraction 0.2 \
  --json hidden.json --quiet
if python3 -c 'import json; r=json.load(open("hidden.json"))["results"][0]; assert isinstance(r["annotation_accuracy"], float)'; then
  pass
else
  fail "file_hidden: annotation accuracy must be reported with hidden labels"
fi
# A file name that is not UTF-8 still gives valid JSON (the bad bytes become U+FFFD).
cp ratings.tsv "$(printf 'r\377.tsv')"
run non_utf8_name 0 --data "$(printf 'r\377.tsv')" --epochs 1 --method none --json non_utf8.json --quiet
if python3 -c 'import json; d=json.load(open("non_utf8.json", encoding="utf-8")); assert d["dataset"]["name"] == "r\ufffd.tsv", d["dataset"]["name"]'; then
  pass
else
  fail "non_utf8_name: non_utf8.json is not valid UTF-8 JSON naming the file"
fi

# --config FILE: the same run as the same flags on the command line; flags given on
# the command line win; a misspelled key is a usage error with a hint.
cat >experiment.toml <<'EOF2'
# a small experiment
method = none,ig
epochs = 1
synthetic-users = 200
synthetic-items = 100
ig-preset = paper
ig-step = normalized
quiet = true
EOF2
run config 0 --config experiment.toml --json config.json
run config_flags 0 --method none,ig --epochs 1 --synthetic-users 200 --synthetic-items 100 --ig-preset paper --ig-step normalized \
  --quiet --json config_flags.json
if [ -s config.err ]; then fail "config: quiet = true in the file did not silence the progress"; else pass; fi
if python3 - config.json config_flags.json <<'EOF2'; then pass; else fail "config: the run from --config differs from the same flags"; fi
import json, sys
a, b = (json.load(open(p))["results"] for p in sys.argv[1:])
for r in a + b:
    r.pop("train_seconds")
assert a == b and [r["method"] for r in a] == ["none", "ig"] and a[1]["ig_step"] == "normalized", (a, b)
EOF2
run config_override 0 --config experiment.toml --method ig --json config_override.json
if python3 -c 'import json; r=json.load(open("config_override.json"))["results"]; assert [x["method"] for x in r] == ["ig"]'; then
  pass
else
  fail "config_override: --method on the command line did not win over the file"
fi
printf 'epoch = 2\n' >typo.toml
run config_typo 2 --config typo.toml
expect_in config_typo config_typo.err "typo.toml: unknown flag 'epoch' (did you mean --epochs?)"
run config_missing 2 --config no_such.toml
expect_in config_missing config_missing.err "--config"
printf 'format = csv\n' >format.toml
run config_format 2 --config format.toml
expect_in config_format config_format.err "--format: applies to --data files only"

run neumf 0 --model neumf --epochs 1 --synthetic-users 100 --synthetic-items 50 --synthetic-rows-per-user 10 \
  --method tce,rce --quiet

# --- failures after the data loaded: exit 1, never a signal ---------------------------
# A diverging method is reported (table and JSON) and the run exits 1.
run diverge 1 --synthetic-users 200 --synthetic-items 100 --epochs 1 --method none --lr 1e30 --json div.json
expect_in diverge diverge.err "[none] failed"
if python3 -c 'import json; r=json.load(open("div.json"))["results"][0]; assert r["error"] and r["auc"] is None'; then
  pass
else
  fail "diverge: div.json does not record the failure"
fi
# A reader that has gone away: an error and exit 1, not death by SIGPIPE.
"$EXE" --synthetic-users 200 --synthetic-items 100 --epochs 1 --method none --quiet 2>closed.err | true
code=${PIPESTATUS[0]}
if [ "$code" -eq 1 ]; then pass; else fail "closed stdout: exit $code, expected 1"; fi

# --- checkpoints: --save, an interrupted run resumed, --load ------------------------
CK="--synthetic-users 1000 --synthetic-items 300 --method none,ig --epochs 5 --quiet"
run ck_full 0 $CK --save full.ckpt --json full.json
for f in full.none.ckpt full.ig.ckpt; do
  if [ -s "$f" ]; then pass; else fail "ck_full: checkpoint $f missing"; fi
done
# Interrupt a run hard (SIGKILL) once ig's first checkpoint exists, then resume it.
"$EXE" $CK --save part.ckpt --json part.json >killed.out 2>killed.err &
victim=$!
for _ in $(seq 1 600); do
  [ -s part.ig.ckpt ] && break
  kill -0 "$victim" 2>/dev/null || break
  sleep 0.05
done
kill -KILL "$victim" 2>/dev/null
wait "$victim" 2>/dev/null
# Whatever finished before the kill is valid JSON (written atomically).
if python3 -c 'import json; d=json.load(open("part.json")); assert d["results"][0]["method"] == "none"'; then
  pass
else
  fail "interrupted run: part.json is not valid JSON holding the finished method"
fi
run ck_resume 0 $CK --save part.ckpt --resume part.ckpt --json resumed.json
if python3 - full.json resumed.json <<'EOF2'; then pass; else fail "ck_resume: resumed metrics differ from the uninterrupted run"; fi
import json, sys
a = json.load(open(sys.argv[1]))["results"]
b = json.load(open(sys.argv[2]))["results"]
assert [r["method"] for r in a] == [r["method"] for r in b]
for x, y in zip(a, b):
    for k in ("auc", "gauc", "gauc_weighted", "ndcg@10", "mrr", "best_epoch"):
        assert x[k] == y[k], (x["method"], k, x[k], y[k])
EOF2
# --load with --epochs 0 evaluates the saved (selected) parameters as they are.
run ck_load 0 --synthetic-users 1000 --synthetic-items 300 --method ig --load full.ig.ckpt --epochs 0 \
  --json loaded.json --quiet
if python3 -c '
import json
a = [r for r in json.load(open("full.json"))["results"] if r["method"] == "ig"][0]
b = json.load(open("loaded.json"))["results"][0]
assert a["auc"] == b["auc"] and a["ndcg@10"] == b["ndcg@10"], (a, b)'; then
  pass
else
  fail "ck_load: evaluating the saved ig model does not give the saved run's metrics"
fi
run ck_epochs0 2 --epochs 0
expect_in ck_epochs0 ck_epochs0.err "--epochs"
head -c 300 full.ig.ckpt >truncated.ckpt
run ck_truncated 2 --synthetic-users 1000 --synthetic-items 300 --method ig --load truncated.ckpt --epochs 0
expect_in ck_truncated ck_truncated.err "truncated"
run ck_garbage 2 --method ig --load garbage.bin --epochs 0
expect_in ck_garbage ck_garbage.err "garbage.bin"
run ck_wrong_method 2 --synthetic-users 1000 --synthetic-items 300 --method ig --resume full.none.ckpt
expect_in ck_wrong_method ck_wrong_method.err "full.none.ckpt"
run ck_wrong_model 2 --synthetic-users 1000 --synthetic-items 300 --method ig --model neumf --load full.ig.ckpt
expect_in ck_wrong_model ck_wrong_model.err "--model gmf"
run ck_missing 2 --method ig --resume no_such.ckpt
expect_in ck_missing ck_missing.err "no_such.ckpt"
# An IG checkpoint resumes only with the preset, schedule and step rule it was trained
# with, refused before any work (the dataset line is not printed).
run ck_ig_preset 2 $CK --ig-preset paper --resume full.ckpt
expect_in ck_ig_preset ck_ig_preset.err "full.ig.ckpt was trained with --ig-preset blocks, not paper; give --ig-preset blocks"
if [ -s ck_ig_preset.out ]; then fail "ck_ig_preset: work started before the checkpoint was refused"; else pass; fi
run ck_ig_paper_as_blocks 2 --epochs 2 --synthetic-users 200 --synthetic-items 100 --method ig --quiet --resume ig_normalized.ckpt
expect_in ck_ig_paper_as_blocks ck_ig_paper_as_blocks.err "give --ig-preset paper"
run ck_ig_schedule 2 $IG --ig-step normalized --ig-schedule per-train-batch --resume ig_normalized.ckpt
expect_in ck_ig_schedule ck_ig_schedule.err "--ig-schedule test-pass"
run ck_ig_step_default 2 $IG --resume ig_normalized.ckpt
expect_in ck_ig_step_default ck_ig_step_default.err "give --ig-step normalized"
# With the step rule it was trained with, the finished run re-evaluates to its own metrics.
run ck_ig_step_same 0 $IG --ig-step normalized --resume ig_normalized.ckpt --json ig_normalized_resumed.json
if python3 -c '
import json
a = json.load(open("ig_normalized.json"))["results"][0]
b = json.load(open("ig_normalized_resumed.json"))["results"][0]
assert a["auc"] == b["auc"] and a["mrr"] == b["mrr"] and b["ig_step"] == "normalized", (a, b)'; then
  pass
else
  fail "ck_ig_step_same: resuming the normalized run does not reproduce its metrics"
fi

echo "cli tests: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
