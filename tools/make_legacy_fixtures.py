"""Makes the legacy-container fixtures in tests/fixtures/legacy/ (run with /usr/bin/python3, torch 1.13):

  /usr/bin/python3 tools/make_legacy_fixtures.py

Each legacy file is torch.save(..., _use_new_zipfile_serialization=False), the container of torch
before 1.6 that PANNs' Cnn14_mAP=0.431.pth and HF's bert-base-uncased pytorch_model.bin use; its zip
twin is the same object saved in the zip container. The published layouts are re-saved from the
committed zip fixtures of tools/make_model_fixtures.py, so their tensors and references are shared:
  cnn14-tiny-legacy.pth         tests/fixtures/models/cnn14-tiny.pth (PANNs {'iteration','model','sampler'})
                                with numpy.random.RandomState(0).get_state() added to 'sampler'
  panns-micro.pth / -legacy.pth a micro CNN14 in the PANNs layout with the same sampler, both containers
  cnn14-micro-msclap-legacy.pth tests/fixtures/models/cnn14-micro-msclap.pth ({'model': ...})
  bert-tiny-bin-legacy/         tests/fixtures/models/bert-tiny-bin/ with pytorch_model.bin re-saved
                                (bert./cls. keys, LayerNorm gamma/beta, the tied decoder weight)
  dtypes.pth / dtypes-zip.pth   every dtype, views sharing one storage at offsets, non-contiguous strides,
                                a 0-d tensor and an empty one; dtypes.json lists each tensor's values
  forbidden.pth / -zip.pth      a dict whose 'hook' entry pickles the global posix.system (never to be called)
"""
import json
import os
import shutil

import numpy as np
import torch

ROOT = os.path.join(os.path.dirname(__file__), '..', 'tests', 'fixtures')
MODELS = os.path.join(ROOT, 'models')
OUT = os.path.join(ROOT, 'legacy')


def save_both(obj, name):
    torch.save(obj, os.path.join(OUT, name + '-legacy.pth'), _use_new_zipfile_serialization=False)
    torch.save(obj, os.path.join(OUT, name + '.pth'))


def sampler_state(classes):
    # PANNs' balanced sampler: per-class index arrays, a queue, pointers and the RandomState it draws from.
    return {'indexes_per_class': [np.arange(3) + i for i in range(classes)], 'queue': [1, 2, 3],
            'pointers_of_classes': [np.int64(0)] * classes,
            'random_state': np.random.RandomState(0).get_state()}


def published_layouts():
    panns = torch.load(os.path.join(MODELS, 'cnn14-tiny.pth'))
    panns['sampler'] = sampler_state(10)
    torch.save(panns, os.path.join(OUT, 'cnn14-tiny-legacy.pth'), _use_new_zipfile_serialization=False)

    bare = torch.load(os.path.join(MODELS, 'cnn14-micro-bare.pth'))
    save_both({'iteration': 12000, 'model': bare, 'sampler': sampler_state(3)}, 'panns-micro')

    clap = torch.load(os.path.join(MODELS, 'cnn14-micro-msclap.pth'))
    torch.save(clap, os.path.join(OUT, 'cnn14-micro-msclap-legacy.pth'), _use_new_zipfile_serialization=False)

    src, dst = os.path.join(MODELS, 'bert-tiny-bin'), os.path.join(OUT, 'bert-tiny-bin-legacy')
    os.makedirs(dst, exist_ok=True)
    for f in ['config.json', 'vocab.txt', 'tokenizer_config.json']:
        shutil.copy(os.path.join(src, f), os.path.join(dst, f))
    bert = torch.load(os.path.join(src, 'pytorch_model.bin'))
    assert bert['cls.predictions.decoder.weight'].data_ptr() == bert['bert.embeddings.word_embeddings.weight'].data_ptr()
    torch.save(bert, os.path.join(dst, 'pytorch_model.bin'), _use_new_zipfile_serialization=False)


def dtypes():
    g = torch.Generator().manual_seed(1950)
    base = torch.randn(24, generator=g)
    t = {
        'float32': torch.randn(2, 3, generator=g),
        'float64': torch.randn(3, generator=g, dtype=torch.float64),
        'float16': torch.randn(4, generator=g).half(),
        'bfloat16': torch.randn(4, generator=g).bfloat16(),
        'int8': torch.tensor([-128, -1, 0, 127], dtype=torch.int8),
        'int16': torch.tensor([-32768, 7, 32767], dtype=torch.int16),
        'int32': torch.tensor([-2 ** 31, 5, 2 ** 31 - 1], dtype=torch.int32),
        'int64': torch.tensor([-2 ** 63, 9, 2 ** 63 - 1], dtype=torch.int64),
        'uint8': torch.tensor([0, 200, 255], dtype=torch.uint8),
        'bool': torch.tensor([True, False, True]),
        'scalar': torch.tensor(3.5),
        'empty': torch.zeros(0, 4),
        # Views of one storage: a slice at an offset, a reshaped tail, a transpose and a step.
        'shared.base': base,
        'shared.slice': base[2:7],
        'shared.tail': base[12:].view(3, 4),
        'shared.transposed': base.view(4, 6).t(),
        'shared.strided': base[1::5],
        'nested': {'inner.weight': torch.arange(6, dtype=torch.float32).view(2, 3)},
    }
    torch.save(t, os.path.join(OUT, 'dtypes.pth'), _use_new_zipfile_serialization=False)
    torch.save(t, os.path.join(OUT, 'dtypes-zip.pth'))
    flat = {k: v for k, v in t.items() if k != 'nested'}
    flat['nested.inner.weight'] = t['nested']['inner.weight']
    expected = {k: {'dtype': str(v.dtype).replace('torch.', ''), 'shape': list(v.shape),
                    'stride': list(v.stride()), 'offset': v.storage_offset(),
                    'values': v.float().flatten().tolist() if v.dtype in (torch.float16, torch.bfloat16)
                    else [int(x) if v.dtype == torch.bool else x for x in v.flatten().tolist()]}
                for k, v in flat.items()}
    with open(os.path.join(OUT, 'dtypes.json'), 'w') as f:
        json.dump(expected, f, indent=1)


class Hook:
    """Pickles as a call of os.system: a reader that unpickles it blindly would run a shell command."""
    def __reduce__(self):
        return (os.system, ('echo this must never run',))


def forbidden():
    obj = {'w': torch.zeros(2), 'hook': Hook()}
    torch.save(obj, os.path.join(OUT, 'forbidden-legacy.pth'), _use_new_zipfile_serialization=False)
    torch.save(obj, os.path.join(OUT, 'forbidden.pth'))


if __name__ == '__main__':
    os.makedirs(OUT, exist_ok=True)
    published_layouts()
    dtypes()
    forbidden()
    for f in sorted(os.listdir(OUT)):
        print(f, os.path.getsize(os.path.join(OUT, f)))
