#!/usr/bin/env python3
"""Plain-PyTorch reference for bench/bench_steps.cpp: the same two training steps,
written from the paper (Lin et al., WSDM'24, Algorithm 1) the way a straightforward
PyTorch implementation (NCF / DenoisingRec style) would write them.

  NS step  (plain_step): a labeled batch of 1024 and 1024 sampled unlabeled pairs (the
           batch's users, uniform items, label 0), BCE over the 2048 rows, one Adam step.
  IG step  (ig_step):    Algorithm 1 lines 8-18: sample the unlabeled batch, the IDL loss
           and its gradient at θ, deep-copy the model twice and take an SGD step of -α / +α
           on each copy (θ^d, θ^i), BCE of the training-test batch at θ^d, θ, θ^i, load the
           winner into the model, one Adam step on the training-test batch.

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


def idl_loss(logits, eps=1e-9):
    """Inverse dual loss (Definition 1): weights from the detached per-pair losses."""
    p = F.softplus(-logits)  # ℓ(x, 1)
    n = F.softplus(logits)   # ℓ(x, 0)
    with torch.no_grad():
        a = n / (p + eps)
        b = p / (n + eps)
        w1 = a / (a + b)
    return (w1 * p + (1.0 - w1) * n).mean()


class Setup:
    def __init__(self, model_name, rows, seed=0):
        torch.manual_seed(seed)
        self.rows = rows
        self.model = (GMF if model_name == "gmf" else NeuMF)(rows, rows)
        self.opt = torch.optim.Adam(self.model.parameters(), lr=LR)
        self.gen = torch.Generator().manual_seed(seed + 1)

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
        model_d = copy.deepcopy(model)                               # line 10: θ^d = θ - α∇
        torch.optim.SGD(model_d.parameters(), lr=ALPHA).step()
        model_i = copy.deepcopy(model)                               # line 11: θ^i = θ + α∇
        torch.optim.SGD(model_i.parameters(), lr=ALPHA, maximize=True).step()
        with torch.no_grad():                                        # lines 13-15
            losses = [F.binary_cross_entropy_with_logits(m(u, i), y).item()
                      for m in (model_d, model, model_i)]
        best = min(range(3), key=lambda c: (losses[c], c != 1))     # line 16 (tie → θ)
        if best != 1:
            model.load_state_dict((model_d, model, model_i)[best].state_dict())
        self.opt.zero_grad()                                         # lines 17-18
        loss = F.binary_cross_entropy_with_logits(model(u, i), y)
        loss.backward()
        self.opt.step()
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


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, nargs="+", default=[10000, 100000, 1000000])
    ap.add_argument("--models", nargs="+", default=["gmf", "neumf"], choices=["gmf", "neumf"])
    ap.add_argument("--steps", type=int, default=20, help="timed steps per case (fewer if over --budget)")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--budget", type=float, default=60.0, help="seconds of timed steps per case")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", help="also write the results to this file")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, batch {BATCH}, d {DIM}")
    print(f"{'case':<22} {'plain ms':>10} {'ig ms':>10} {'ig/plain':>9}  steps")
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
            print(f"{name:<22} {plain:>10.2f} {ig:>10.2f} {ig / plain:>9.2f}  {n_plain}/{n_ig}", flush=True)
            results.append({"case": name, "plain_ms": plain, "ig_ms": ig, "steps": [n_plain, n_ig]})
            del setup
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"torch": torch.__version__, "threads": torch.get_num_threads(), "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
