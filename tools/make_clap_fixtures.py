"""Makes the msclap-layout CLAP parity fixtures in tests/fixtures/clap/ (run with /usr/bin/python3, torch 1.13).

  /usr/bin/python3 tools/make_clap_fixtures.py

The reference CNN14 and BERT modules are those of tools/make_model_fixtures.py; the projection is
msclap's (models/clap.py: linear1 (no bias) -> GELU -> linear2 (no bias) -> dropout, added to
linear1's output, LayerNorm). Writes, from seeded random weights, eval mode:
  msclap-tiny.pth        {'model': state_dict} with msclap's key layout: audio_encoder.base.* (CNN14 widths
                         4-4-8-8-16-16, 32 mels, 5 classes, plus a logmel_extractor.melW [513, 32] buffer
                         that is NOT the computed one), audio_encoder.projection.*, caption_encoder.base.*
                         (the tiny BERT of tests/fixtures/models/bert-tiny-st, with pooler and
                         embeddings.position_ids), caption_encoder.projection.*, logit_scale; joint dim 8
  msclap-tiny-logmel.npy (2, 1, 40, 32) input;  msclap-tiny-xa.npy, msclap-tiny-ea.npy  x_a and E_a (L2-normalised)
  msclap-tiny-ids.npy, msclap-tiny-mask.npy     two prompts tokenised ('this is a sound of dog' / 'of cat'), padded
  msclap-tiny-xt.npy, msclap-tiny-et.npy        x_t ([CLS]) and E_t (L2-normalised)
The BERT weights are regenerated exactly as make_model_fixtures.py does (same seed), so
tests/fixtures/models/bert-tiny-st serves as the --bert folder (config.json and vocab.txt).
"""
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_model_fixtures as mm  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'fixtures', 'clap')


class Projection(nn.Module):
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


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(2022)
    g = torch.Generator().manual_seed(2022)
    mels, widths, classes, d = 32, [4, 4, 8, 8, 16, 16], 5, 8
    cnn = mm.Cnn14(mels, widths, classes)
    mm.randomize_bn(cnn, g)
    cnn.bn0.running_mean.data = -30 + torch.randn(mels, generator=g)
    cnn.bn0.running_var.data = 100 * (0.5 + torch.rand(mels, generator=g))
    with torch.no_grad():  # larger weights so that different inputs give visibly different x_a in so narrow a net
        for m in cnn.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)): m.weight.mul_(4)
    # The tiny BERT exactly as make_model_fixtures.bert_fixtures builds it.
    torch.manual_seed(30522)
    c = mm.Cfg()
    bert = mm.Bert(c).eval()
    with torch.no_grad():
        for m in bert.modules():
            if isinstance(m, nn.LayerNorm):
                m.weight.uniform_(0.5, 1.5); m.bias.normal_(0, 0.1)
    torch.manual_seed(7)
    pa, pt = Projection(widths[-1], d), Projection(c.hidden_size, d)
    with torch.no_grad():
        for p in (pa, pt):
            p.layer_norm.weight.uniform_(0.5, 1.5); p.layer_norm.bias.normal_(0, 0.1)
    logit_scale = torch.tensor(math.log(1 / 0.07) + 0.3)
    for m in (cnn, bert, pa, pt): m.eval()

    sd = {}
    sd.update({'audio_encoder.base.' + k: v for k, v in cnn.state_dict().items()})
    sd['audio_encoder.base.logmel_extractor.melW'] = torch.from_numpy(
        np.abs(np.random.RandomState(3).randn(513, mels)).astype(np.float32) * 0.01)
    sd.update({'audio_encoder.projection.' + k: v for k, v in pa.state_dict().items()})
    sd.update({'caption_encoder.base.' + k: v for k, v in bert.state_dict().items()})
    sd['caption_encoder.base.embeddings.position_ids'] = torch.arange(c.max_position_embeddings).unsqueeze(0)
    sd.update({'caption_encoder.projection.' + k: v for k, v in pt.state_dict().items()})
    sd['logit_scale'] = logit_scale
    torch.save({'model': sd}, os.path.join(OUT, 'msclap-tiny.pth'))

    x = -30 + 10 * torch.randn(2, 1, 40, mels, generator=g)
    vocab = mm.tiny_vocab()
    rows = [mm.wordpiece(t, vocab) for t in ['this is a sound of dog', 'this is a sound of cat']]
    L = max(len(r) for r in rows) + 2  # extra padding: masked keys must not change x_t
    ids = np.zeros((len(rows), L), np.int64)
    mask = np.zeros((len(rows), L), np.int64)
    for i, r in enumerate(rows):
        ids[i, :len(r)] = r; mask[i, :len(r)] = 1
    with torch.no_grad():
        xa, _ = cnn(x)
        ea = F.normalize(pa(xa), dim=-1)
        xt = bert(torch.from_numpy(ids), torch.from_numpy(mask))[:, 0]
        et = F.normalize(pt(xt), dim=-1)
    for name, a in [('logmel', x), ('xa', xa), ('ea', ea), ('xt', xt), ('et', et)]:
        np.save(os.path.join(OUT, 'msclap-tiny-%s.npy' % name), a.numpy().astype(np.float32))
    np.save(os.path.join(OUT, 'msclap-tiny-ids.npy'), ids)
    np.save(os.path.join(OUT, 'msclap-tiny-mask.npy'), mask)
    print('x_a', xa.shape, 'E_a', ea.shape, 'x_t', xt.shape, 'E_t', et.shape, 'cos', (ea @ et.T).numpy())


if __name__ == '__main__':
    main()
