#!/usr/bin/python3
"""Writes tests/fixtures/training/: a tiny CLAP model in PyTorch (msclap's projector and key
layout, tiny linear backbones that ClapAudit's tests replicate exactly), one batch, and the loss,
gradients, clipped gradient norm and weights after one Adam step, for three cases:
  normal - default init, neither clamp nor clipping acts;
  clamp  - logit_scale = ln(1000): most logits exceed 100 and are clamped (item (g));
  clip   - tiny projector weights: the gradient norm exceeds 100 and is clipped (item (f)).
Run with /usr/bin/python3 (torch 1.13). The model is in eval mode (dropout off) because dropout
masks cannot be matched across implementations; dropout is tested separately in .NET."""
import json, math, os
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "training")
B, T, M, V, L, XA, XT, D = 8, 4, 6, 30, 7, 16, 12, 10
CLAMP, CLIP, LR = 100.0, 100.0, 1e-2


class Projection(nn.Module):  # msclap/models/clap.py
    def __init__(self, d_in, d_out, p=0.5):
        super().__init__()
        self.linear1 = nn.Linear(d_in, d_out, bias=False)
        self.linear2 = nn.Linear(d_out, d_out, bias=False)
        self.layer_norm = nn.LayerNorm(d_out)
        self.drop = nn.Dropout(p)

    def forward(self, x):
        embed1 = self.linear1(x)
        embed2 = self.drop(self.linear2(F.gelu(embed1)))
        return self.layer_norm(embed1 + embed2)


class TinyAudio(nn.Module):  # tanh(fc(flatten(logmel)))
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(T * M, XA)

    def forward(self, x):
        return torch.tanh(self.fc(x.flatten(1)))


class TinyText(nn.Module):  # tanh(fc(masked mean of embeddings))
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(V, XT)
        self.fc = nn.Linear(XT, XT)

    def forward(self, ids, mask):
        e = self.embed(ids)
        m = mask.unsqueeze(-1).to(e.dtype)
        return torch.tanh(self.fc((e * m).sum(1) / m.sum(1)))


class Encoder(nn.Module):
    def __init__(self, base, d_in):
        super().__init__()
        self.base = base
        self.projection = Projection(d_in, D)


class Clap(nn.Module):
    def __init__(self):
        super().__init__()
        self.audio_encoder = Encoder(TinyAudio(), XA)
        self.caption_encoder = Encoder(TinyText(), XT)
        self.logit_scale = nn.Parameter(torch.ones([]) * np.log(1 / 0.07))

    def loss(self, logmel, ids, mask, info):
        ea = F.normalize(self.audio_encoder.projection(self.audio_encoder.base(logmel)), dim=1)
        et = F.normalize(self.caption_encoder.projection(self.caption_encoder.base(ids, mask)), dim=1)
        raw = self.logit_scale.exp() * ea @ et.t()
        info["clamped"] = int((raw.abs() > CLAMP).sum())
        c = raw.clamp(-CLAMP, CLAMP)
        t = torch.arange(c.shape[0])
        return (F.cross_entropy(c, t) + F.cross_entropy(c.t(), t)) / 2


def save(folder, name, a):
    a = a.detach().numpy() if torch.is_tensor(a) else np.asarray(a)
    np.save(os.path.join(folder, name + ".npy"), a.astype(np.int64 if a.dtype.kind in "iu" else np.float32))


def case(name, tweak):
    torch.manual_seed(1234)
    model = Clap()
    gen = torch.Generator().manual_seed(99)
    logmel = torch.randn(B, 1, T, M, generator=gen)
    ids = torch.randint(1, V, (B, L), generator=gen)
    lengths = torch.randint(2, L + 1, (B,), generator=gen)
    mask = (torch.arange(L)[None, :] < lengths[:, None]).long()
    ids = ids * mask
    with torch.no_grad():
        tweak(model)
    model.eval()
    folder = os.path.join(OUT, name)
    os.makedirs(folder, exist_ok=True)
    for k, v in model.state_dict().items():
        save(folder, "w." + k, v)
    save(folder, "logmel", logmel)
    save(folder, "ids", ids)
    save(folder, "mask", mask)
    params = [p for p in model.parameters()]
    opt = torch.optim.Adam(params, lr=LR)
    info = {}
    loss = model.loss(logmel, ids, mask, info)
    opt.zero_grad()
    loss.backward()
    norm = torch.nn.utils.clip_grad_norm_(params, CLIP)
    opt.step()
    save(folder, "loss", loss.detach().reshape(1))
    save(folder, "grad_norm", norm.reshape(1))
    for k, p in model.named_parameters():
        save(folder, "g." + k, p.grad)      # gradients after clipping (as the optimiser used them)
        save(folder, "a." + k, p)           # weights after one Adam step
    meta = {"loss": float(loss), "grad_norm": float(norm), "clamped_logits": info["clamped"], "of": B * B,
            "clip_acts": bool(norm > CLIP), "adam_lr": LR, "clip": CLIP, "clamp": CLAMP}
    with open(os.path.join(folder, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print(name, meta)
    return meta


def tiny_projectors(m):
    for enc in (m.audio_encoder, m.caption_encoder):
        enc.projection.linear1.weight.mul_(1e-4)
        enc.projection.linear2.weight.mul_(1e-4)
    m.logit_scale.fill_(math.log(100.0))


def plateau():
    """torch.optim.lr_scheduler.ReduceLROnPlateau (factor 0.1, patience 2, the rest default) on a
    fixed sequence of validation losses; the learning rate after each step."""
    metrics = [5.0, 4.0, 4.0, 3.9999, 4.1, 3.0, 3.0, 3.0, 3.0, 2.9999, 3.5, 3.5, 3.5, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]
    p = nn.Parameter(torch.zeros(1))
    opt = torch.optim.Adam([p], lr=1e-4)
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.1, patience=2)
    lrs = []
    for m in metrics:
        sched.step(m)
        lrs.append(opt.param_groups[0]["lr"])
    folder = os.path.join(OUT, "plateau")
    os.makedirs(folder, exist_ok=True)
    np.save(os.path.join(folder, "metrics.npy"), np.array(metrics, dtype=np.float64))
    np.save(os.path.join(folder, "lrs.npy"), np.array(lrs, dtype=np.float64))
    print("plateau", lrs)


if __name__ == "__main__":
    torch.set_num_threads(1)
    a = case("normal", lambda m: None)
    b = case("clamp", lambda m: m.logit_scale.fill_(math.log(1000.0)))
    c = case("clip", tiny_projectors)
    assert a["clamped_logits"] == 0 and not a["clip_acts"]
    assert 0 < b["clamped_logits"] < b["of"]
    assert c["clip_acts"]
    plateau()
    with open(os.path.join(OUT, "README.md"), "w") as f:
        f.write("Made by tools/make_training_fixtures.py (torch %s). Do not edit; see the script.\n" % torch.__version__)
