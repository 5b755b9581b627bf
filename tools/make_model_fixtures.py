"""Makes the CNN14 and BERT parity fixtures in tests/fixtures/models/ (run with /usr/bin/python3,
torch 1.13; transformers is not needed: both reference models are written here in plain torch.nn
from the architecture descriptions in PANNs pytorch/models.py and HF's modeling_bert.py).

  /usr/bin/python3 tools/make_model_fixtures.py

Writes (all from seeded random weights, eval mode):
  cnn14-tiny.pth            PANNs layout {'iteration', 'model': state_dict, 'sampler'}: widths 4-8-16-32-64-128,
                            32 mels, 10 classes, plus front-end buffers (STFT kernels n_fft 64, melW 33x32)
  cnn14-tiny-logmel.npy     input (3, 1, 70, 32); cnn14-tiny-xa.npy (3, 128); cnn14-tiny-clipwise.npy (3, 10)
  cnn14-micro-msclap.pth    widths 2-2-2-2-2-4, 32 mels, 3 classes, keys under "audio_encoder.base." beside
                            caption_encoder/logit_scale entries, as msclap's CLAP checkpoint
  cnn14-micro-bare.pth      the same CNN14 as a bare state dict; legacy-pickle.pth: non-zip torch.save
  bert-tiny-bin/            config.json, vocab.txt, tokenizer_config.json, pytorch_model.bin with "bert." prefix,
                            a cls.* head, LayerNorm gamma/beta names and embeddings.position_ids
  bert-tiny-st/             the same weights as model.safetensors, plain BertModel names
  bert-tiny-texts.txt       the texts; bert-tiny-ids.npy / -mask.npy (padded to the longest),
  bert-tiny-hidden.npy      last_hidden_state; bert-tiny-xt.npy  x_t = last_hidden_state[:, 0];
  bert-tiny-xt-maxlen.npy   x_t with padding to 16 tokens (must equal bert-tiny-xt.npy)
"""
import json
import math
import os
import struct

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'fixtures', 'models')


# ---------------------------------------------------------------- CNN14 (PANNs) -----
class ConvBlock(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, 1, 1, bias=False)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.bn2 = nn.BatchNorm2d(cout)

    def forward(self, x, pool):
        x = F.relu_(self.bn1(self.conv1(x)))
        x = F.relu_(self.bn2(self.conv2(x)))
        return F.avg_pool2d(x, kernel_size=pool)


class Cnn14(nn.Module):
    def __init__(self, mels, widths, classes):
        super().__init__()
        self.bn0 = nn.BatchNorm2d(mels)
        cin = 1
        for i, w in enumerate(widths):
            setattr(self, 'conv_block%d' % (i + 1), ConvBlock(cin, w))
            cin = w
        self.fc1 = nn.Linear(widths[-1], widths[-1], bias=True)
        self.fc_audioset = nn.Linear(widths[-1], classes, bias=True)

    def forward(self, x):  # (B, 1, T, mels), eval mode
        x = self.bn0(x.transpose(1, 3)).transpose(1, 3)
        for i in range(1, 7):
            x = getattr(self, 'conv_block%d' % i)(x, (2, 2) if i < 6 else (1, 1))
            x = F.dropout(x, p=0.2, training=self.training)
        x = torch.mean(x, dim=3)
        x = torch.max(x, dim=2)[0] + torch.mean(x, dim=2)
        x = F.dropout(x, p=0.5, training=self.training)
        x = F.relu_(self.fc1(x))
        return x, torch.sigmoid(self.fc_audioset(x))


def randomize_bn(model, g):
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            n = m.num_features
            m.weight.data = 0.5 + torch.rand(n, generator=g)
            m.bias.data = 0.1 * torch.randn(n, generator=g)
            m.running_mean.data = 0.1 * torch.randn(n, generator=g)
            m.running_var.data = 0.5 + torch.rand(n, generator=g)
            m.num_batches_tracked.fill_(7)


def front_end_buffers(n_fft, mels):
    bins = n_fft // 2 + 1
    n = np.arange(n_fft)
    k = np.arange(bins)[:, None]
    win = 0.5 - 0.5 * np.cos(2 * np.pi * n / n_fft)
    real = (np.cos(2 * np.pi * k * n / n_fft) * win).astype(np.float32)[:, None, :]
    imag = (-np.sin(2 * np.pi * k * n / n_fft) * win).astype(np.float32)[:, None, :]
    melw = np.abs(np.random.RandomState(5).randn(bins, mels)).astype(np.float32) * 0.01
    return {'spectrogram_extractor.stft.conv_real.weight': torch.from_numpy(real),
            'spectrogram_extractor.stft.conv_imag.weight': torch.from_numpy(imag),
            'logmel_extractor.melW': torch.from_numpy(melw)}


def cnn14_fixtures():
    torch.manual_seed(14)
    g = torch.Generator().manual_seed(14)
    mels, widths, classes = 32, [4, 8, 16, 32, 64, 128], 10
    model = Cnn14(mels, widths, classes)
    randomize_bn(model, g)
    model.bn0.running_mean.data = -30 + torch.randn(mels, generator=g)
    model.bn0.running_var.data = 100 * (0.5 + torch.rand(mels, generator=g))
    model.eval()
    sd = dict(front_end_buffers(64, mels))
    sd.update(model.state_dict())
    # The sampler state holds NumPy arrays, as PANNs' balanced sampler does: the reader must skip them.
    sampler = {'indexes_per_class': [np.arange(3) + i for i in range(classes)], 'queue': [1, 2, 3],
               'pointers_of_classes': [np.int64(0)] * classes}
    torch.save({'iteration': 0, 'model': sd, 'sampler': sampler},
               os.path.join(OUT, 'cnn14-tiny.pth'))
    x = -30 + 10 * torch.randn(3, 1, 70, mels, generator=g)
    with torch.no_grad():
        xa, clip = model(x)
    np.save(os.path.join(OUT, 'cnn14-tiny-logmel.npy'), x.numpy().astype(np.float32))
    np.save(os.path.join(OUT, 'cnn14-tiny-xa.npy'), xa.numpy().astype(np.float32))
    np.save(os.path.join(OUT, 'cnn14-tiny-clipwise.npy'), clip.numpy().astype(np.float32))
    print('cnn14 x_a range', float(xa.min()), float(xa.max()), 'clipwise', float(clip.min()), float(clip.max()))

    micro = Cnn14(32, [2, 2, 2, 2, 2, 4], 3)
    randomize_bn(micro, g)
    msd = micro.state_dict()
    clap = {'audio_encoder.base.' + k: v for k, v in msd.items()}
    clap['audio_encoder.projection.linear1.weight'] = torch.randn(8, 4, generator=g)
    clap['caption_encoder.base.embeddings.word_embeddings.weight'] = torch.randn(5, 8, generator=g)
    clap['logit_scale'] = torch.tensor(math.log(1 / 0.07))
    torch.save({'model': clap}, os.path.join(OUT, 'cnn14-micro-msclap.pth'))
    torch.save(msd, os.path.join(OUT, 'cnn14-micro-bare.pth'))
    torch.save({'w': torch.zeros(2)}, os.path.join(OUT, 'legacy-pickle.pth'), _use_new_zipfile_serialization=False)


# ---------------------------------------------------------------- BERT (HF) ---------
class Cfg:
    vocab_size = 128
    hidden_size = 32
    num_hidden_layers = 2
    num_attention_heads = 4
    intermediate_size = 64
    max_position_embeddings = 64
    type_vocab_size = 2
    layer_norm_eps = 1e-12


class Embeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.word_embeddings = nn.Embedding(c.vocab_size, c.hidden_size, padding_idx=0)
        self.position_embeddings = nn.Embedding(c.max_position_embeddings, c.hidden_size)
        self.token_type_embeddings = nn.Embedding(c.type_vocab_size, c.hidden_size)
        self.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)

    def forward(self, ids):
        pos = torch.arange(ids.shape[1]).unsqueeze(0)
        e = self.word_embeddings(ids) + self.token_type_embeddings(torch.zeros_like(ids)) + self.position_embeddings(pos)
        return self.LayerNorm(e)


class SelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.h = c.num_attention_heads
        self.d = c.hidden_size // self.h
        self.query = nn.Linear(c.hidden_size, c.hidden_size)
        self.key = nn.Linear(c.hidden_size, c.hidden_size)
        self.value = nn.Linear(c.hidden_size, c.hidden_size)

    def forward(self, x, add_mask):
        b, l, _ = x.shape
        sp = lambda t: t.view(b, l, self.h, self.d).permute(0, 2, 1, 3)
        q, k, v = sp(self.query(x)), sp(self.key(x)), sp(self.value(x))
        s = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.d) + add_mask
        p = torch.softmax(s, dim=-1)
        return torch.matmul(p, v).permute(0, 2, 1, 3).reshape(b, l, self.h * self.d)


class DenseLN(nn.Module):
    def __init__(self, cin, c):
        super().__init__()
        self.dense = nn.Linear(cin, c.hidden_size)
        self.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)

    def forward(self, h, res):
        return self.LayerNorm(self.dense(h) + res)


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self = SelfAttention(c)
        self.output = DenseLN(c.hidden_size, c)

    def forward(self, x, m):
        return self.output(self.self(x, m), x)


class Intermediate(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c.hidden_size, c.intermediate_size)

    def forward(self, x):
        return F.gelu(self.dense(x))  # exact (erf) GELU, HF "gelu"


class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attention = Attention(c)
        self.intermediate = Intermediate(c)
        self.output = DenseLN(c.intermediate_size, c)

    def forward(self, x, m):
        a = self.attention(x, m)
        return self.output(self.intermediate(a), a)


class Encoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.ModuleList([Layer(c) for _ in range(c.num_hidden_layers)])

    def forward(self, x, m):
        for l in self.layer:
            x = l(x, m)
        return x


class Pooler(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c.hidden_size, c.hidden_size)


class Bert(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings = Embeddings(c)
        self.encoder = Encoder(c)
        self.pooler = Pooler(c)

    def forward(self, ids, mask):
        add = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        return self.encoder(self.embeddings(ids), add)


WORDS = ['this', 'is', 'a', 'sound', 'of', 'dog', 'cat', 'rain', 'falls', 'on', 'roof', 'and', 'thunder', 'rumble',
         'the', 'bark', 'door', 'wood', 'knock', 'siren', 'car', 'horn', 'in', 'distance', 'birds', 'chirp', 'clock',
         'tick', 'glass', 'break', 'engine', 'idle', '##s', '##ing', '##ed', ',', '.', '!', '?', "'", '-']
TEXTS = ['this is a sound of dog', 'a dog barks', 'rain falls on a roof, and thunder rumbles.',
         'Door wood knock!', 'a siren and a car horn in the distance', 'birds chirping', 'the clock ticks',
         'glass breaking', "an engine idles...", "dog's bark-ing ?"]


def tiny_vocab():
    v = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] + WORDS
    v += ['[unused%d]' % i for i in range(Cfg.vocab_size - len(v))]
    return v


def wordpiece(text, vocab):
    """Lower-case, split on spaces and ASCII punctuation, greedy longest-match WordPiece (ASCII texts only)."""
    idx = {t: i for i, t in enumerate(vocab)}
    words, cur = [], ''
    for ch in text.lower():
        if ch.isspace():
            if cur: words.append(cur); cur = ''
        elif not ch.isalnum():
            if cur: words.append(cur); cur = ''
            words.append(ch)
        else:
            cur += ch
    if cur: words.append(cur)
    ids = [idx['[CLS]']]
    for w in words:
        pieces, start, ok = [], 0, True
        while start < len(w):
            end, found = len(w), None
            while start < end:
                sub = w[start:end] if start == 0 else '##' + w[start:end]
                if sub in idx: found = idx[sub]; break
                end -= 1
            if found is None: ok = False; break
            pieces.append(found); start = end
        ids += pieces if ok else [idx['[UNK]']]
    return ids + [idx['[SEP]']]


def write_safetensors(path, tensors):
    header, blobs, off = {}, [], 0
    for k, t in tensors.items():
        a = t.detach().contiguous().numpy()
        dt = {np.float32: 'F32', np.int64: 'I64'}[a.dtype.type]
        b = a.tobytes()
        header[k] = {'dtype': dt, 'shape': list(a.shape), 'data_offsets': [off, off + len(b)]}
        blobs.append(b); off += len(b)
    header['__metadata__'] = {'format': 'pt'}
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * ((8 - len(h) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h))); f.write(h)
        for b in blobs: f.write(b)


def bert_fixtures():
    torch.manual_seed(30522)
    c = Cfg()
    model = Bert(c).eval()
    with torch.no_grad():  # LayerNorm affine away from (1, 0) so a gamma/beta mix-up shows
        for m in model.modules():
            if isinstance(m, nn.LayerNorm):
                m.weight.uniform_(0.5, 1.5); m.bias.normal_(0, 0.1)
    vocab = tiny_vocab()
    config = {'architectures': ['BertForMaskedLM'], 'model_type': 'bert', 'vocab_size': c.vocab_size,
              'hidden_size': c.hidden_size, 'num_hidden_layers': c.num_hidden_layers,
              'num_attention_heads': c.num_attention_heads, 'intermediate_size': c.intermediate_size,
              'hidden_act': 'gelu', 'hidden_dropout_prob': 0.1, 'attention_probs_dropout_prob': 0.1,
              'max_position_embeddings': c.max_position_embeddings, 'type_vocab_size': c.type_vocab_size,
              'initializer_range': 0.02, 'layer_norm_eps': c.layer_norm_eps, 'pad_token_id': 0,
              'position_embedding_type': 'absolute'}
    sd = model.state_dict()
    for name in ['bert-tiny-bin', 'bert-tiny-st']:
        d = os.path.join(OUT, name)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, 'config.json'), 'w') as f: json.dump(config, f, indent=2)
        with open(os.path.join(d, 'vocab.txt'), 'w') as f: f.write('\n'.join(vocab) + '\n')
    with open(os.path.join(OUT, 'bert-tiny-bin', 'tokenizer_config.json'), 'w') as f:
        json.dump({'do_lower_case': True, 'model_max_length': 64}, f)
    old = {}
    for k, v in sd.items():
        k2 = 'bert.' + k
        if 'LayerNorm.weight' in k2: k2 = k2.replace('LayerNorm.weight', 'LayerNorm.gamma')
        if 'LayerNorm.bias' in k2: k2 = k2.replace('LayerNorm.bias', 'LayerNorm.beta')
        old[k2] = v
    old['bert.embeddings.position_ids'] = torch.arange(c.max_position_embeddings).unsqueeze(0)
    old['cls.predictions.bias'] = torch.zeros(c.vocab_size)
    old['cls.predictions.transform.dense.weight'] = torch.randn(c.hidden_size, c.hidden_size)
    old['cls.predictions.transform.LayerNorm.gamma'] = torch.ones(c.hidden_size)
    old['cls.predictions.decoder.weight'] = sd['embeddings.word_embeddings.weight']  # tied, as in HF
    old['cls.seq_relationship.weight'] = torch.randn(2, c.hidden_size)
    torch.save(old, os.path.join(OUT, 'bert-tiny-bin', 'pytorch_model.bin'))
    write_safetensors(os.path.join(OUT, 'bert-tiny-st', 'model.safetensors'), sd)

    rows = [wordpiece(t, vocab) for t in TEXTS]
    L = max(len(r) for r in rows)
    ids = np.zeros((len(rows), L), np.int64); mask = np.zeros_like(ids)
    for i, r in enumerate(rows):
        ids[i, :len(r)] = r; mask[i, :len(r)] = 1
    with torch.no_grad():
        hidden = model(torch.from_numpy(ids), torch.from_numpy(mask))
        ids16 = np.zeros((len(rows), 16), np.int64); mask16 = np.zeros_like(ids16)
        ids16[:, :L] = ids; mask16[:, :L] = mask
        hidden16 = model(torch.from_numpy(ids16), torch.from_numpy(mask16))
    with open(os.path.join(OUT, 'bert-tiny-texts.txt'), 'w') as f: f.write('\n'.join(TEXTS) + '\n')
    np.save(os.path.join(OUT, 'bert-tiny-ids.npy'), ids)
    np.save(os.path.join(OUT, 'bert-tiny-mask.npy'), mask)
    np.save(os.path.join(OUT, 'bert-tiny-hidden.npy'), hidden.numpy().astype(np.float32))
    np.save(os.path.join(OUT, 'bert-tiny-xt.npy'), hidden[:, 0].numpy().astype(np.float32))
    np.save(os.path.join(OUT, 'bert-tiny-xt-maxlen.npy'), hidden16[:, 0].numpy().astype(np.float32))
    print('bert x_t range', float(hidden[:, 0].min()), float(hidden[:, 0].max()), 'L', L,
          'maxlen diff', float((hidden16[:, 0] - hidden[:, 0]).abs().max()))
    for t, r in zip(TEXTS, rows): print(t, [vocab[i] for i in r])


if __name__ == '__main__':
    os.makedirs(OUT, exist_ok=True)
    cnn14_fixtures()
    bert_fixtures()
