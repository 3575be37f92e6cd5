# The independent check of serving: scores every (user, item) pair from the files
# invlearn-export wrote (numpy only, float64), ranks the whole catalogue per user with the
# training and validation pairs masked (ties to the lower item index, the order of
# item_ids.txt), and compares with what the programs reported:
#   * invlearn-recommend's lists (tsv) must be the reference's top k, up to swaps of items
#     whose reference scores differ by less than 1e-5 (float32 sums in another order);
#   * invlearn-train's --topk metrics (JSON) must equal the metrics of those lists, and the
#     reference's own metrics unless such a near-tie swap was seen.
#
#   python3 serving_reference.py EXPORT_DIR TRAIN VALID TEST RESULT_JSON|- RECS_TSV K,K,...
#
# Ratings files are "user item rating" lines; a test rating above 2 is a positive (the
# ratings preset of invlearn-train). Exits 1 with a message on the first disagreement.
import json
import math
import sys

import numpy as np

export_dir, train_path, valid_path, test_path, result_path, recs_path, ks_text = sys.argv[1:8]
ks = [int(k) for k in ks_text.split(",")]

def lines(path):
    with open(path) as f:
        return [l.split() for l in f if l.strip()]

users = [l.strip() for l in open(export_dir + "/user_ids.txt")]
items = [l.strip() for l in open(export_dir + "/item_ids.txt")]
uix = {u: k for k, u in enumerate(users)}
iix = {i: k for k, i in enumerate(items)}
spec = json.load(open(export_dir + "/scoring.json"))

def npy(name):
    return np.load(export_dir + "/" + name).astype(np.float64)

def tsv_matches(name):
    rows = lines(export_dir + "/" + name + ".tsv")
    ids = [r[0] for r in rows]
    values = np.array([[float(x) for x in r[1:]] for r in rows])
    array = np.load(export_dir + "/" + name + ".npy")
    assert ids == (users if name.startswith("user") else items), name + ".tsv: ids out of order"
    assert np.array_equal(values.astype(array.dtype), array), name + ".tsv and .npy differ"

if spec["kind"] == "inner_product":
    for n in ("user_vectors", "item_vectors"):
        tsv_matches(n)
    scores = npy(spec["user_vectors"]) @ npy(spec["item_vectors"]).T + spec["bias"]
elif spec["kind"] == "neumf":
    for n in ("user_gmf", "item_gmf", "user_mlp", "item_mlp"):
        tsv_matches(n)
    ug, ig, um, im = (npy(spec[n]) for n in ("user_gmf", "item_gmf", "user_mlp", "item_mlp"))
    head = npy(spec["head_mlp"]).ravel()
    layers = [(npy(l["weight"]), npy(l["bias"]).ravel()) for l in spec["layers"]]
    scores = ug @ ig.T + spec["bias"]
    for u in range(len(users)):
        a = np.hstack([np.repeat(um[u:u + 1], len(items), axis=0), im])
        for w, b in layers:
            a = np.maximum(a @ w + b, 0.0)
        scores[u] += a @ head
else:
    sys.exit("unknown kind " + spec["kind"])

masked = [set() for _ in users]
for path in (train_path, valid_path):
    for r in lines(path):
        masked[uix[r[0]]].add(iix[r[1]])
positives = [set() for _ in users]
tested = [False] * len(users)
for r in lines(test_path):
    u, i = uix[r[0]], iix[r[1]]
    tested[u] = True
    if float(r[2]) > 2 and i not in masked[u]:
        positives[u].add(i)

kmax = max(ks)
reference = []
for u in range(len(users)):
    candidates = np.array([i for i in range(len(items)) if i not in masked[u]], dtype=np.int64)
    order = np.lexsort((candidates, -scores[u, candidates]))  # score descending, then index
    reference.append(list(candidates[order][:kmax]))

recs = [[] for _ in users]
for r in lines(recs_path):
    u = uix[r[0]]
    assert int(r[1]) == len(recs[u]) + 1, "ranks out of order for user " + r[0]
    recs[u].append(iix[r[2]])

swaps = 0
for u in range(len(users)):
    got, want = recs[u], reference[u]
    assert len(got) == len(want), "user %s: %d items, expected %d" % (users[u], len(got), len(want))
    for j, (a, b) in enumerate(zip(got, want)):
        if a == b:
            continue
        assert abs(scores[u, a] - scores[u, b]) < 1e-5 * max(1.0, abs(scores[u, b])), \
            "user %s, rank %d: item %s (score %.9g), the reference has %s (score %.9g)" % (
                users[u], j + 1, items[a], scores[u, a], items[b], scores[u, b])
        swaps += 1
    assert not set(got) & masked[u], "user %s: a masked item is recommended" % users[u]

def metrics(lists):
    out, n = {}, 0
    for k in ks:
        for name in ("recall", "ndcg", "precision", "hr", "mrr"):
            out["%s@%d" % (name, k)] = 0.0
    for u in range(len(users)):
        p = positives[u]
        if not p:
            continue
        n += 1
        for k in ks:
            top = lists[u][:k]
            hits = [r for r, i in enumerate(top) if i in p]
            out["recall@%d" % k] += len(hits) / len(p)
            out["precision@%d" % k] += len(hits) / k
            out["hr@%d" % k] += 1.0 if hits else 0.0
            out["mrr@%d" % k] += 1.0 / (hits[0] + 1) if hits else 0.0
            idcg = sum(1.0 / math.log2(r + 2) for r in range(min(k, len(p))))
            out["ndcg@%d" % k] += sum(1.0 / math.log2(r + 2) for r in hits) / idcg
    return {key: v / n for key, v in out.items()}, n

if result_path != "-":
    results = json.load(open(result_path))["results"]
    from_lists, n = metrics(recs)
    from_reference, _ = metrics(reference)
    without = sum(1 for u in range(len(users)) if tested[u] and not positives[u])
    for r in results:
        topk = r["topk"]
        assert topk["users"] == n, "%s: users %d, expected %d" % (r["method"], topk["users"], n)
        assert topk["users_without_positive"] == without, r["method"] + ": users_without_positive"
        for key, v in from_lists.items():
            assert abs(topk[key] - v) < 1e-9, "%s: %s is %r, the lists give %r" % (r["method"], key, topk[key], v)
            if swaps == 0:
                assert abs(topk[key] - from_reference[key]) < 1e-9, key
    print("metrics agree for %d users (%d without a test positive)" % (n, without))
print("lists agree: %d users, %d near-tie swaps" % (len(users), swaps))
