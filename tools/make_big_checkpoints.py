"""Writes full-size checkpoints with random weights for the load benchmark (docs/benchmarks.md); never committed.

  /usr/bin/python3 tools/make_big_checkpoints.py [OUT_DIR]     (default /tmp/clapaudit-bench)

  cnn14-full-legacy.pth / cnn14-full-zip.pth  PANNs Cnn14_mAP=0.431.pth's layout ({'iteration', 'model', 'sampler'}),
      every key and shape of tests/fixtures/models/cnn14-keys.tsv (80.8M values, about 327 MB)
  bert-base-legacy.bin / bert-base-zip.bin    bert-base-uncased's pytorch_model.bin layout: the keys of
      tests/fixtures/models/bert-base-uncased-keys.tsv under "bert." with LayerNorm gamma/beta, the cls.* heads and
      the decoder weight tied to the word embeddings (about 440 MB)
"""
import os
import sys

import numpy as np
import torch

MODELS = os.path.join(os.path.dirname(__file__), '..', 'tests', 'fixtures', 'models')


def keys(name):
    with open(os.path.join(MODELS, name)) as f:
        for line in f:
            if line.startswith('#') or not line.strip():
                continue
            key, shape, dtype = line.rstrip('\n').split('\t')
            dims = [int(d) for d in shape.split('x')] if shape not in ('', 'scalar', '-') else []
            yield key, dims, dtype


def random_tensor(key, dims, dtype, g):
    if dtype == 'int64':
        return torch.zeros(dims, dtype=torch.int64)
    t = torch.randn(dims, generator=g) * 0.02
    return t.abs() + 0.5 if key.endswith('running_var') else t


def cnn14(g):
    sd = {k: random_tensor(k, d, t, g) for k, d, t in keys('cnn14-keys.tsv')}
    sampler = {'indexes_per_class': [np.arange(100) + i for i in range(527)], 'queue': [],
               'pointers_of_classes': [np.int64(0)] * 527, 'random_state': np.random.RandomState(0).get_state()}
    return {'iteration': 660000, 'model': sd, 'sampler': sampler}


def bert(g):
    out = {}
    for k, d, t in keys('bert-base-uncased-keys.tsv'):
        k = 'bert.' + k.replace('LayerNorm.weight', 'LayerNorm.gamma').replace('LayerNorm.bias', 'LayerNorm.beta')
        out[k] = random_tensor(k, d, t, g)
    h, v = 768, out['bert.embeddings.word_embeddings.weight'].shape[0]
    out['cls.predictions.bias'] = torch.zeros(v)
    out['cls.predictions.transform.dense.weight'] = torch.randn(h, h, generator=g) * 0.02
    out['cls.predictions.transform.dense.bias'] = torch.zeros(h)
    out['cls.predictions.transform.LayerNorm.gamma'] = torch.ones(h)
    out['cls.predictions.transform.LayerNorm.beta'] = torch.zeros(h)
    out['cls.predictions.decoder.weight'] = out['bert.embeddings.word_embeddings.weight']
    out['cls.seq_relationship.weight'] = torch.randn(2, h, generator=g) * 0.02
    out['cls.seq_relationship.bias'] = torch.zeros(2)
    return out


if __name__ == '__main__':
    out = sys.argv[1] if len(sys.argv) > 1 else '/tmp/clapaudit-bench'
    os.makedirs(out, exist_ok=True)
    g = torch.Generator().manual_seed(431)
    for name, obj, ext in [('cnn14-full', cnn14(g), 'pth'), ('bert-base', bert(g), 'bin')]:
        n = sum(v.numel() for v in (obj['model'] if 'model' in obj else obj).values())
        torch.save(obj, os.path.join(out, f'{name}-legacy.{ext}'), _use_new_zipfile_serialization=False)
        torch.save(obj, os.path.join(out, f'{name}-zip.{ext}'))
        for c in ('legacy', 'zip'):
            p = os.path.join(out, f'{name}-{c}.{ext}')
            print(p, os.path.getsize(p), 'bytes', n, 'values')
