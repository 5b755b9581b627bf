#!/usr/bin/python3
"""PyTorch side of tools/bench_train_step.sh: one training step (batch 8) of the tiny CLAP model
of make_training_fixtures.py, frozen and unfrozen backbones. Usage: bench_train_step.py THREADS STEPS"""
import os, sys, time
import torch
import torch.nn.functional as F
sys.path.insert(0, os.path.dirname(__file__))
from make_training_fixtures import Clap, B as _, T, M, V, L  # noqa: E402

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
steps = int(sys.argv[2]) if len(sys.argv) > 2 else 300
torch.set_num_threads(threads)
B = 8


def loss_fn(model, x, ids, mask):
    ea = F.normalize(model.audio_encoder.projection(model.audio_encoder.base(x)), dim=1)
    et = F.normalize(model.caption_encoder.projection(model.caption_encoder.base(ids, mask)), dim=1)
    c = (model.logit_scale.exp() * ea @ et.t()).clamp(-100, 100)
    t = torch.arange(c.shape[0])
    return (F.cross_entropy(c, t) + F.cross_entropy(c.t(), t)) / 2


for frozen in (True, False):
    torch.manual_seed(0)
    model = Clap()
    for enc in (model.audio_encoder, model.caption_encoder):
        for p in enc.base.parameters():
            p.requires_grad_(not frozen)
        enc.base.train(not frozen)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.Adam(params, lr=1e-4)
    x = torch.randn(B, 1, T, M)
    ids = torch.randint(1, V, (B, L))
    mask = torch.ones(B, L, dtype=torch.long)
    times = []
    for i in range(steps + 30):
        t0 = time.perf_counter()
        loss = loss_fn(model, x, ids, mask)
        loss.item()
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 100)
        opt.step()
        if i >= 30:
            times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    print("pytorch tiny %s p10_ms %.4f median_ms %.4f" % ("frozen" if frozen else "unfrozen", times[len(times) // 10], times[len(times) // 2]))
