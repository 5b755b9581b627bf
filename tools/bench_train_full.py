#!/usr/bin/python3
"""PyTorch side of tools/bench_train_full.sh: one CLAP training step at batch 8 with full-size CNN14 and
BERT-base (the plain-torch reference modules of make_model_fixtures.py, msclap's projection from
make_clap_fixtures.py), frozen and unfrozen, on the same shapes as tools/bench_train_full/.
Usage: bench_train_full.py THREADS STEPS"""
import os, sys, time
import torch
import torch.nn.functional as F
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_model_fixtures as mm  # noqa: E402
from make_clap_fixtures import Projection  # noqa: E402

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
steps = int(sys.argv[2]) if len(sys.argv) > 2 else 3
torch.set_num_threads(threads)
B, L, REAL = 8, 100, 24


class Full(mm.Cfg):
    vocab_size = 30522
    hidden_size = 768
    num_hidden_layers = 12
    num_attention_heads = 12
    intermediate_size = 3072
    max_position_embeddings = 512


class Clap(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.cnn = mm.Cnn14(64, [64, 128, 256, 512, 1024, 2048], 527)
        self.bert = mm.Bert(Full())
        self.pa, self.pt = Projection(2048, 1024), Projection(768, 1024)
        self.logit_scale = torch.nn.Parameter(torch.tensor(2.659))

    def loss(self, x, ids, mask):
        ea = F.normalize(self.pa(self.cnn(x)[0]), dim=1)
        et = F.normalize(self.pt(self.bert(ids, mask)[:, 0]), dim=1)
        c = (self.logit_scale.exp() * ea @ et.t()).clamp(-100, 100)
        t = torch.arange(c.shape[0])
        return (F.cross_entropy(c, t) + F.cross_entropy(c.t(), t)) / 2


for frozen in (True, False):
    torch.manual_seed(0)
    model = Clap()
    model.train()
    for base in (model.cnn, model.bert):
        for p in base.parameters():
            p.requires_grad_(not frozen)
        base.train(not frozen)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.Adam(params, lr=1e-4)
    x = torch.randn(B, 1, 690, 64)
    ids = torch.randint(1, 30522, (B, L))
    mask = torch.cat([torch.ones(B, REAL, dtype=torch.long), torch.zeros(B, L - REAL, dtype=torch.long)], 1)
    times = []
    for i in range(steps + 1):
        t0 = time.perf_counter()
        loss = model.loss(x, ids, mask)
        loss.item()
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 100)
        opt.step()
        if i >= 1:
            times.append((time.perf_counter() - t0) * 1000)
    print("pytorch full %s min_ms %.1f mean_ms %.1f" % ("frozen" if frozen else "unfrozen", min(times), sum(times) / len(times)))
