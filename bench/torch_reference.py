#!/usr/bin/env python3
"""Plain-PyTorch reference for bench/bench_steps.cpp: the same two training steps,
written from the paper (Lin et al., WSDM'24, Algorithm 1) the way a straightforward
PyTorch implementation (NCF / DenoisingRec style) would write them, and the IG step a
second time, written for speed.

  NS step  (plain_step): a labeled batch of 1024 and 1024 sampled unlabeled pairs (the
           batch's users, uniform items, label 0), BCE over the 2048 rows, one Adam step.
  IG step  (ig_step):    Algorithm 1 lines 8-18: sample the unlabeled batch, the IDL loss
           and its gradient at θ, deep-copy the model twice and take an SGD step of -α / +α
           on each copy (θ^d, θ^i), BCE of the training-test batch at θ^d, θ, θ^i, load the
           winner into the model, one Adam step on the training-test batch.
  IG lean (ig_lean_step): the IG step written for speed in plain PyTorch: no deep copies,
           the IDL gradient taken with respect to the gathered rows, the candidates
           evaluated on displaced gathered rows, the winner's move added to the rows the
           batches touch; the same dense Adam step.

Models as in NCF: GMF with d = 32; NeuMF-end with GMF d = 32, MLP embeddings of 128 per
side, MLP 256→128→64→32 with ReLU, head Linear(64, 1) over concat(GMF, MLP). Dense
nn.Embedding and torch.optim.Adam (as NCF and DenoisingRec use them), float32, CPU.

Differences from the C++ benchmark, all in PyTorch's favour: sampled items are not checked
against the training pairs (the C++ sampler rejects training pairs), and no per-step checks
(finite losses, annotation statistics) are made.

Prints the median milliseconds per step for rows (= users = items) in --rows. Sizes whose
estimated memory exceeds 80 % of MemAvailable are skipped and reported as such.

    python3 bench/torch_reference.py                      # all sizes, both models
    python3 bench/torch_reference.py --rows 10000 --models gmf --steps 30
    python3 bench/torch_reference.py --check              # the two IG steps move alike
Needs PyTorch (Debian: apt-get install python3-torch; run it with /usr/bin/python3).
"""

import argparse
import copy
import json
import statistics
import sys
import time

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:  # pragma: no cover
    sys.exit("torch_reference.py: PyTorch is not installed (try /usr/bin/python3 after "
             "apt-get install python3-torch)")

BATCH = 1024
DIM = 32
LR = 1e-3
ALPHA = 0.1 * LR  # the paper's ratio α = 0.1·γ


class GMF(nn.Module):
    def __init__(self, users, items, dim=DIM):
        super().__init__()
        self.embed_user = nn.Embedding(users, dim)
        self.embed_item = nn.Embedding(items, dim)
        self.predict = nn.Linear(dim, 1)
        nn.init.normal_(self.embed_user.weight, std=0.01)
        nn.init.normal_(self.embed_item.weight, std=0.01)

    def forward(self, u, i):
        return self.predict(self.embed_user(u) * self.embed_item(i)).view(-1)

    # For the lean IG step: the embedding tables with the id each is keyed by, the other
    # parameters, and the logits from gathered rows and given dense parameters.
    def tables(self):
        return [(self.embed_user.weight, "u"), (self.embed_item.weight, "i")]

    def dense_params(self):
        return list(self.predict.parameters())

    def head(self, rows, dense):
        eu, ei = rows
        return F.linear(eu * ei, dense[0], dense[1]).view(-1)


class NeuMF(nn.Module):
    def __init__(self, users, items, dim=DIM, layers=3):
        super().__init__()
        m = dim * 2 ** (layers - 1)  # 128
        self.embed_user_gmf = nn.Embedding(users, dim)
        self.embed_item_gmf = nn.Embedding(items, dim)
        self.embed_user_mlp = nn.Embedding(users, m)
        self.embed_item_mlp = nn.Embedding(items, m)
        mlp = []
        width = 2 * m
        for _ in range(layers):
            mlp += [nn.Linear(width, width // 2), nn.ReLU()]
            width //= 2
        self.mlp = nn.Sequential(*mlp)
        self.predict = nn.Linear(dim + width, 1)
        for e in (self.embed_user_gmf, self.embed_item_gmf, self.embed_user_mlp, self.embed_item_mlp):
            nn.init.normal_(e.weight, std=0.01)
        for layer in self.mlp:
            if isinstance(layer, nn.Linear):
                nn.init.xavier_uniform_(layer.weight)
                nn.init.zeros_(layer.bias)

    def forward(self, u, i):
        g = self.embed_user_gmf(u) * self.embed_item_gmf(i)
        h = self.mlp(torch.cat([self.embed_user_mlp(u), self.embed_item_mlp(i)], dim=-1))
        return self.predict(torch.cat([g, h], dim=-1)).view(-1)

    def tables(self):
        return [(self.embed_user_gmf.weight, "u"), (self.embed_item_gmf.weight, "i"),
                (self.embed_user_mlp.weight, "u"), (self.embed_item_mlp.weight, "i")]

    def dense_params(self):
        return list(self.mlp.parameters()) + list(self.predict.parameters())

    def head(self, rows, dense):
        eu_g, ei_g, eu_m, ei_m = rows
        h = torch.cat([eu_m, ei_m], dim=-1)
        for k in range(0, len(dense) - 2, 2):
            h = F.relu(F.linear(h, dense[k], dense[k + 1]))
        return F.linear(torch.cat([eu_g * ei_g, h], dim=-1), dense[-2], dense[-1]).view(-1)


def idl_loss(logits, eps=1e-9):
    """Inverse dual loss (Definition 1): weights from the detached per-pair losses."""
    p = F.softplus(-logits)  # ℓ(x, 1)
    n = F.softplus(logits)   # ℓ(x, 0)
    with torch.no_grad():
        a = n / (p + eps)
        b = p / (n + eps)
        w1 = a / (a + b)
    return (w1 * p + (1.0 - w1) * n).mean()


def choose(losses):
    """The candidate with the least loss, θ (index 1) on a tie."""
    return min(range(3), key=lambda c: (losses[c], c != 1))


def copy_with_grads(model):
    """A deep copy of `model` that holds its gradients too: deepcopy of a Parameter copies
    the data and not .grad, and an SGD step on such a copy does nothing."""
    twin = copy.deepcopy(model)
    for mine, theirs in zip(twin.parameters(), model.parameters()):
        mine.grad = None if theirs.grad is None else theirs.grad.clone()
    return twin


class Setup:
    def __init__(self, model_name, rows, seed=0, embedding_scale=1.0):
        torch.manual_seed(seed)
        self.rows = rows
        self.model = (GMF if model_name == "gmf" else NeuMF)(rows, rows)
        with torch.no_grad():
            for weight, _ in self.model.tables():
                weight.mul_(embedding_scale)
        self.opt = torch.optim.Adam(self.model.parameters(), lr=LR)
        self.gen = torch.Generator().manual_seed(seed + 1)
        self.alpha = ALPHA  # the IG step's α (--check takes larger ones)
        self.keep_moved = False  # --check: keep the parameters after the IG move
        self.moved = None

    def snapshot(self):
        if self.keep_moved:
            self.moved = [p.detach().clone() for p in self.model.parameters()]

    def labeled_batch(self):
        u = torch.randint(0, self.rows, (BATCH,), generator=self.gen)
        i = torch.randint(0, self.rows, (BATCH,), generator=self.gen)
        y = torch.randint(0, 2, (BATCH,), generator=self.gen).float()
        return u, i, y

    def sample_unlabeled(self, users):
        return users, torch.randint(0, self.rows, (users.shape[0],), generator=self.gen)

    def plain_step(self, batch):
        u, i, y = batch
        uu, ui = self.sample_unlabeled(u)            # sampling is timed, as in C++
        users = torch.cat([u, uu])
        items = torch.cat([i, ui])
        labels = torch.cat([y, torch.zeros(uu.shape[0])])
        self.opt.zero_grad()
        loss = F.binary_cross_entropy_with_logits(self.model(users, items), labels)
        loss.backward()
        self.opt.step()
        return loss.item()

    def ig_step(self, batch):
        u, i, y = batch
        model = self.model
        uu, ui = self.sample_unlabeled(u)                            # line 8
        model.zero_grad()
        idl_loss(model(uu, ui)).backward()                           # line 9
        model_d = copy_with_grads(model)                             # line 10: θ^d = θ - α∇
        torch.optim.SGD(model_d.parameters(), lr=self.alpha).step()
        model_i = copy_with_grads(model)                             # line 11: θ^i = θ + α∇
        torch.optim.SGD(model_i.parameters(), lr=self.alpha, maximize=True).step()
        with torch.no_grad():                                        # lines 13-15
            losses = [F.binary_cross_entropy_with_logits(m(u, i), y).item()
                      for m in (model_d, model, model_i)]
        self.last_losses = losses
        best = choose(losses)                                        # line 16
        if best != 1:
            model.load_state_dict((model_d, model, model_i)[best].state_dict())
        self.snapshot()
        self.labeled_adam_step(u, i, y)                              # lines 17-18
        return best - 1

    def labeled_adam_step(self, u, i, y):
        """The last step of both IG steps: one Adam step on the training-test batch."""
        self.opt.zero_grad()
        loss = F.binary_cross_entropy_with_logits(self.model(u, i), y)
        loss.backward()
        self.opt.step()

    def ig_lean_step(self, batch):
        """The same step with no copies and no work on rows the batches do not touch
        before the Adam step: the IDL gradient is taken with respect to the gathered rows
        (summed over duplicate ids by one unique per id kind over both batches), the
        candidates are evaluated on displaced gathered rows, and the winner's move is added
        to the touched rows only. The Adam step is the same dense one."""
        u, i, y = batch
        model = self.model
        uu, ui = self.sample_unlabeled(u)
        n = uu.shape[0]
        ids = {"u": torch.unique(torch.cat([uu, u]), return_inverse=True),
               "i": torch.unique(torch.cat([ui, i]), return_inverse=True)}
        tables = model.tables()
        dense = model.dense_params()
        rows = [w.detach()[ids[key][0]].requires_grad_() for w, key in tables]
        dense_leaf = [p.detach().requires_grad_() for p in dense]
        unl = [r[ids[key][1][:n]] for r, (_, key) in zip(rows, tables)]
        grads = torch.autograd.grad(idl_loss(model.head(unl, dense_leaf)), rows + dense_leaf)
        g_rows, g_dense = grads[:len(rows)], grads[len(rows):]
        moves = (-self.alpha, 0.0, self.alpha)
        with torch.no_grad():
            losses = []
            for s in moves:
                lab = [(r + s * g)[ids[key][1][n:]] for r, g, (_, key) in zip(rows, g_rows, tables)]
                moved = [p + s * g for p, g in zip(dense_leaf, g_dense)]
                losses.append(F.binary_cross_entropy_with_logits(model.head(lab, moved), y).item())
            self.last_losses = losses
            best = choose(losses)
            if best != 1:
                for (w, key), g in zip(tables, g_rows):
                    w.index_add_(0, ids[key][0], g, alpha=moves[best])
                for p, g in zip(dense, g_dense):
                    p.add_(g, alpha=moves[best])
        self.snapshot()
        self.labeled_adam_step(u, i, y)
        return best - 1


def mem_available_bytes():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def estimated_bytes(model_name, rows):
    per_row = 2 * (DIM if model_name == "gmf" else DIM + 4 * DIM)  # user + item rows
    params = 4 * per_row * rows
    # θ, ∇θ, Adam m and v, two deep copies with their gradients, a state_dict load.
    return 9 * params


def time_steps(fn, setup, steps, warmup, budget_s):
    times = []
    for k in range(warmup + steps):
        batch = setup.labeled_batch()
        t0 = time.perf_counter()
        fn(batch)
        dt = time.perf_counter() - t0
        if k >= warmup:
            times.append(dt)
        if k >= warmup and sum(times) > budget_s and len(times) >= 3:
            break
    return statistics.median(times) * 1e3, len(times)


def check_lean(model_name, rows=2000, steps=5, alphas=(1.0, 1000.0)):
    """Both IG steps from the same state and batches: the same choices, the same candidate
    losses and, within float rounding, the same move. At the benchmark's α the three
    candidate losses of a fresh model agree to the last bit or two and the choice is
    decided by rounding, so the check takes larger ones: at α = 1 the moves decide the
    choice and the move applied is compared; at α = 1000 the rows' displacement changes
    the candidate losses by more than rounding. Returns the largest difference between
    the two moves."""
    return max(compare_ig_steps(model_name, rows, steps, alpha) for alpha in alphas)


def compare_ig_steps(model_name, rows, steps, alpha):
    # Embeddings 30 times the benchmark's (sd 0.3): the rows' moves then change the
    # candidate losses by more than float rounding, so a wrong row displacement shows.
    a, b = (Setup(model_name, rows, embedding_scale=30.0) for _ in range(2))
    a.alpha = b.alpha = alpha
    a.keep_moved = b.keep_moved = True
    worst = 0.0
    for _ in range(steps):
        batch = a.labeled_batch()
        b.labeled_batch()  # the same draws: both generators start from one seed
        before = [p.detach().clone() for p in a.model.parameters()]
        if a.ig_step(batch) != b.ig_lean_step(batch):
            sys.exit(f"torch_reference.py: --check: {model_name}: the two IG steps chose differently")
        for la, lb in zip(a.last_losses, b.last_losses):
            if abs(la - lb) > 1e-6 * abs(la):
                sys.exit(f"torch_reference.py: --check: {model_name}: candidate losses {a.last_losses} "
                         f"and {b.last_losses}")
        # The IG move (the parameters before the Adam step), against its own size.
        move = max((m - p0).abs().max().item() for m, p0 in zip(a.moved, before))
        for ma, mb in zip(a.moved, b.moved):
            gap = (ma - mb).abs().max().item()
            if gap > 1e-3 * move:
                sys.exit(f"torch_reference.py: --check: {model_name}: moves differ by {gap:.3g} "
                         f"(the move is {move:.3g})")
            worst = max(worst, gap)
    return worst


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, nargs="+", default=[10000, 100000, 1000000])
    ap.add_argument("--models", nargs="+", default=["gmf", "neumf"], choices=["gmf", "neumf"])
    ap.add_argument("--steps", type=int, default=20, help="timed steps per case (fewer if over --budget)")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--budget", type=float, default=60.0, help="seconds of timed steps per case")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", help="also write the results to this file")
    ap.add_argument("--check", action="store_true",
                    help="only check that the lean IG step moves the model as the copying one does")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    if args.check:
        for model_name in args.models:
            print(f"{model_name}: lean and copying IG steps agree (largest difference "
                  f"{check_lean(model_name):.3g})")
        return
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, batch {BATCH}, d {DIM}")
    print(f"{'case':<22} {'plain ms':>10} {'ig ms':>10} {'ig lean ms':>11} {'ig/plain':>9}  steps")
    results = []
    for model_name in args.models:
        for rows in args.rows:
            name = f"{model_name}/{rows}"
            need = estimated_bytes(model_name, rows)
            avail = mem_available_bytes()
            if avail is not None and need > 0.8 * avail:
                print(f"{name:<22} skipped: needs ~{need / 2**30:.1f} GiB, {avail / 2**30:.1f} GiB available")
                results.append({"case": name, "skipped": "memory"})
                continue
            setup = Setup(model_name, rows)
            plain, n_plain = time_steps(setup.plain_step, setup, args.steps, args.warmup, args.budget)
            ig, n_ig = time_steps(setup.ig_step, setup, args.steps, args.warmup, args.budget)
            lean, n_lean = time_steps(setup.ig_lean_step, setup, args.steps, args.warmup, args.budget)
            print(f"{name:<22} {plain:>10.2f} {ig:>10.2f} {lean:>11.2f} {ig / plain:>9.2f}  "
                  f"{n_plain}/{n_ig}/{n_lean}", flush=True)
            results.append({"case": name, "plain_ms": plain, "ig_ms": ig, "ig_lean_ms": lean,
                            "steps": [n_plain, n_ig, n_lean]})
            del setup
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"torch": torch.__version__, "threads": torch.get_num_threads(), "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
